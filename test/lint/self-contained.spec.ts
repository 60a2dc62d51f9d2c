import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A clone must hold everything its tests read: no tracked file may point into a folder beside the
 * repository (the sibling folder where test data used to live) or at a place on one machine (a home
 * directory, a work or temp folder). Container paths (`/var/lib/postgresql/data`, `/app`) and the
 * system's own locations are not machine paths. `.ci/run` also runs the tests from a fresh clone
 * in an empty folder, which catches reads this scan cannot see.
 */
// Spelt in pieces, so that this file does not hold the very strings it looks for.
const SIBLING = ['..', 'shared'].join('/');
const WORK = ['', 'work', ''].join('/');
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

const FORBIDDEN: Array<{ what: string; pattern: RegExp }> = [
  { what: `a folder beside the repository (${SIBLING})`, pattern: new RegExp(`\\.\\.[\\\\/]+${SIBLING.slice(3)}(?![\\w-])`) },
  { what: "'shared' joined onto a parent folder", pattern: /['"`]\.\.['"`]\s*,\s*['"`]shared['"`]/ },
  { what: `the variable that pointed at ${SIBLING}`, pattern: new RegExp(['ODT', 'SHARED', 'DIR'].join('_')) },
  { what: `an absolute path on this machine (${WORK}...)`, pattern: new RegExp(`(^|[\\s'"\`(=:])${escape(WORK)}`) },
  { what: 'a home directory', pattern: /(^|[\s'"`(=:])(\/home\/[a-z_][\w.-]*|\/Users\/[\w.-]+|[A-Za-z]:\\Users\\)/ },
  { what: 'a file in the machine temp folder (use os.tmpdir() / mktemp)', pattern: /(^|[\s'"`(=:])\/tmp\/[\w.-]/ },
];

/** Third-party data is what it is; this file names the patterns it looks for. */
const EXEMPT = [/^test\/fixtures\/(dtdl-conformance|ontologies)\//, /^test\/lint\/self-contained\.spec\.ts$/, /^package-lock\.json$/];

/** Tracked files and new ones not ignored yet (what the next commit may hold). */
function trackedFiles(): string[] {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\0')
    .filter((file) => file && !EXEMPT.some((pattern) => pattern.test(file)) && existsSync(path.join(ROOT, file)));
}

export function machinePathProblems(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) =>
    FORBIDDEN.filter(({ pattern }) => pattern.test(line)).map(({ what }) => `${file}:${index + 1}: ${what}: ${line.trim().slice(0, 160)}`),
  );
}

describe('a self-contained repository', () => {
  it('has no tracked file that reads beside the repository or names a path on one machine', () => {
    const files = trackedFiles();
    expect(files.length).toBeGreaterThan(100);
    const problems = files.flatMap((file) => {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      return text.includes('\0') ? [] : machinePathProblems(file, text);
    });
    expect(problems).toEqual([]);
  });

  it('catches each kind of path it is meant to', () => {
    const samples = [
      `const DIR = path.resolve(__dirname, '../../${SIBLING}/ontologies');`,
      "path.join(__dirname, '..', 'shared')",
      `process.env.${['ODT', 'SHARED', 'DIR'].join('_')}`,
      `see ${WORK}shared/dtdl-conformance`,
      "readFileSync('/home/dev/models.json')",
      "writeFileSync('/tmp/report.json', x)",
    ];
    expect(samples.map((line) => machinePathProblems('sample.ts', line).length)).toEqual(samples.map(() => 1));
    expect(machinePathProblems('ok.yaml', `mountPath: /var/lib/postgresql/data\nconst dir = os.tmpdir();\nimport x from "${SIBLING}-lib"`)).toEqual([]);
  });
});
