import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCompose, loadWorkspace, ROOT } from './compose-checks';
import {
  baseImageProblems, contentProblems, dependencyProblems, dockerignoreProblems, explorerProblems, isIgnored, nodeEnvProblems, parseDockerfile,
  parseDockerignore, stageProblems, userProblems,
} from './dockerfile-checks';

const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const dockerfile = parseDockerfile(text);
const ignore = parseDockerignore(readFileSync(path.join(ROOT, '.dockerignore'), 'utf8'));
const ws = loadWorkspace();

/** What the final stage must copy: the sources and manifests, and tsconfig for @swc-node/register. */
const NEEDED_IN_IMAGE = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.base.json', 'apps', 'libs', 'tools'];

/** The libraries the Explorer imports (`@odt/<lib>`), and the ones those import, from their sources. */
function explorerLibs(): string[] {
  const imports = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.tsx?$/.test(f) && !/\.(spec|int-spec)\.ts$/.test(f))
    .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/from '@odt\/([a-z-]+)'/g)].map((m) => m[1]));
  const found = new Set<string>();
  const queue = imports(path.join(ROOT, 'apps', 'explorer', 'src'));
  while (queue.length) {
    const lib = queue.pop()!;
    if (found.has(lib)) continue;
    found.add(lib);
    queue.push(...imports(path.join(ROOT, 'libs', lib, 'src')));
  }
  return [...found].sort();
}

/** What the build reads from the context: every file a service or the migration starts from. */
function filesTheBuildNeeds(): string[] {
  const compose = loadCompose();
  const started = Object.values(compose.services).flatMap((s) => (Array.isArray(s.command) ? s.command : [])).filter((arg) => arg.endsWith('.ts'));
  return [
    ...NEEDED_IN_IMAGE.filter((f) => f.includes('.')),
    ...started,
    ...ws.apps.map((app) => `apps/${app}/package.json`),
    'libs/service-kit/package.json', 'libs/service-kit/src/index.ts', 'tools/migrations.ts', 'tools/docker/unpack-swc-addon.js',
    'apps/explorer/index.html', 'apps/explorer/vite.config.mts', 'apps/explorer/src/main.tsx', ...explorerLibs().map((l) => `libs/${l}/src/index.ts`),
  ];
}

describe('Dockerfile', () => {
  it('reads the stages of the file', () => {
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['manifests', 'deps', 'explorer', 'runtime']);
    expect(dockerfile.stages[3].from).toMatch(/^node:\d+\.\d+\.\d+-/);
  });

  it('is a multi-stage build', () => {
    expect(stageProblems(dockerfile)).toEqual([]);
  });

  it('pins every base image to a tag other than latest', () => {
    expect(baseImageProblems(dockerfile)).toEqual([]);
  });

  it('runs as a numeric non-root user', () => {
    expect(userProblems(dockerfile)).toEqual([]);
  });

  it('installs from the lockfile with npm ci and ships no dev dependencies', () => {
    expect(dependencyProblems(dockerfile)).toEqual([]);
  });

  it('sets NODE_ENV=production', () => {
    expect(nodeEnvProblems(dockerfile)).toEqual([]);
  });

  it('holds the sources, manifests and tsconfig that the service commands need', () => {
    expect(contentProblems(dockerfile, NEEDED_IN_IMAGE)).toEqual([]);
  });

  it('holds the built Explorer, built from its sources and the libraries it imports', () => {
    expect(explorerLibs()).toEqual(['client', 'contracts']);
    expect(explorerProblems(dockerfile, { libs: explorerLibs() })).toEqual([]);
  });

  it('keeps a locally built Explorer out of the build context (the image builds its own)', () => {
    expect(isIgnored('apps/explorer/dist/index.html', ignore)).toBe(true);
  });

  it('keeps node_modules and .git out of the build context, and everything the build reads in', () => {
    expect(filesTheBuildNeeds()).toContain('tools/migrate.ts');
    expect(dockerignoreProblems(ignore, filesTheBuildNeeds())).toEqual([]);
  });
});

/** The checks above are only worth something if a broken Dockerfile fails them. */
describe('the Dockerfile checks', () => {
  const mutated = (from: string | RegExp, to: string) => {
    const changed = text.replace(from, to);
    expect(changed).not.toEqual(text);
    return parseDockerfile(changed);
  };

  it('fail on a single-stage build', () => {
    expect(stageProblems(parseDockerfile('FROM node:20.20.2-bookworm-slim\nRUN npm ci\n'))).toHaveLength(1);
  });

  it('fail on an unpinned or latest base image, and resolve build args', () => {
    expect(baseImageProblems(mutated(/ARG NODE_VERSION=\S+/, 'ARG NODE_VERSION'))).toEqual([
      'FROM node:${NODE_VERSION}-bookworm-slim: a build arg without a default',
      'FROM node:${NODE_VERSION}-bookworm-slim: a build arg without a default',
      'FROM node:${NODE_VERSION}-bookworm-slim: a build arg without a default',
      'FROM node:${NODE_VERSION}-bookworm-slim: a build arg without a default',
    ]);
    expect(baseImageProblems(parseDockerfile('FROM node AS a\nFROM a\n'))).toEqual(['FROM node: the image is not pinned (tag latest)']);
    expect(baseImageProblems(parseDockerfile('FROM node:latest\n'))).toEqual(['FROM node:latest: the image is not pinned (tag latest)']);
    expect(baseImageProblems(parseDockerfile('ARG V\nFROM node:${V}\n'))).toEqual(['FROM node:${V}: a build arg without a default']);
    expect(baseImageProblems(parseDockerfile('FROM node@sha256:abc\n'))).toEqual([]);
  });

  it('fail on root, a user name, or no USER', () => {
    expect(userProblems(mutated('USER 1000:1000', 'USER 0'))).toEqual(['USER 0: the final user is root']);
    expect(userProblems(mutated('USER 1000:1000', 'USER node'))).toHaveLength(1);
    expect(userProblems(mutated('USER 1000:1000\n', ''))).toEqual(['the final stage sets no USER (it would run as root)']);
  });

  it('fail on npm install, on npm ci before the lockfile is there, and on dev dependencies in the image', () => {
    expect(dependencyProblems(mutated('npm ci --omit=dev', 'npm install --omit=dev'))).toEqual(expect.arrayContaining([expect.stringMatching(/npm install --omit=dev .*: use npm ci \(the lockfile\), not npm install$/)]));
    expect(dependencyProblems(parseDockerfile('FROM node:20.20.2-bookworm-slim AS a\nRUN npm install\nFROM a\nCOPY --from=a /app/node_modules ./node_modules\n'))).toContain('no stage runs npm ci');
    expect(dependencyProblems(mutated('COPY package.json package-lock.json ./\nCOPY --from', 'COPY package.json ./\nCOPY --from'))).toEqual(['stage deps: package-lock.json is not copied before npm ci']);
    expect(dependencyProblems(mutated('npm ci --omit=dev', 'npm ci'))).toEqual(['node_modules come from stage deps, which does not leave dev dependencies out (npm ci --omit=dev)']);
  });

  it('fail without NODE_ENV=production in the final stage', () => {
    expect(nodeEnvProblems(mutated(/(FROM \S+ AS runtime\n)ENV NODE_ENV=production\n/, '$1'))).toHaveLength(1);
  });

  it('fail when the final stage leaves out a source folder', () => {
    expect(contentProblems(mutated('COPY tools ./tools\n', ''), NEEDED_IN_IMAGE)).toEqual(['the final stage does not copy tools']);
  });

  it('fail when the image leaves out the built Explorer, or its build lacks Vite or a library it imports', () => {
    const libs = { libs: ['client', 'contracts'] };
    expect(explorerProblems(mutated(/COPY --from=explorer \S+ \S+\n/, ''), libs)).toEqual(['the final stage does not copy the built Explorer (apps/explorer/dist) from a build stage']);
    expect(explorerProblems(mutated('COPY --from=explorer /src/apps/explorer/dist ./apps/explorer/dist', 'COPY --from=explorer /src/apps/explorer/dist ./public'), libs))
      .toEqual(['the built Explorer goes to ./public, not ./apps/explorer/dist where the gateway serves it from']);
    expect(explorerProblems(mutated(' --include=dev', ''), libs)).toEqual(['stage explorer leaves out the development dependencies the Explorer is built with (npm ci --include=dev)']);
    expect(explorerProblems(mutated('COPY libs/contracts ./libs/contracts\n', ''), libs)).toEqual(['stage explorer does not copy libs/contracts, which the Explorer\'s build reads']);
    expect(explorerProblems(mutated('vite.js build', 'vite.js optimize'), libs)).toEqual(['stage explorer does not run vite build']);
  });

  it('fail when .dockerignore lets node_modules in or keeps a needed file out', () => {
    expect(dockerignoreProblems(ignore.filter((p) => p !== '**/node_modules'), [])).toHaveLength(4);
    expect(dockerignoreProblems([...ignore, 'tools'], filesTheBuildNeeds())).toContain('.dockerignore leaves out tools/migrate.ts, which the image needs');
  });

  it('match .dockerignore patterns as Docker does', () => {
    expect(isIgnored('apps/gateway/src/x.spec.ts', ['**/*.spec.ts'])).toBe(true);
    expect(isIgnored('docs/deploy.md', ['docs'])).toBe(true);
    expect(isIgnored('libs/docs/x.ts', ['docs'])).toBe(false);
    expect(isIgnored('apps/x.log', ['*.log'])).toBe(false);
    expect(isIgnored('tools/bench/x.ts', ['tools', '!tools/bench'])).toBe(false);
  });
});
