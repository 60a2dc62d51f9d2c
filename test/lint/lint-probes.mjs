// Lints in-memory probe files with the repository's ESLint config (run as a child: ESLint loads its
// config through dynamic import, which Jest's module system does not support).
import { ESLint } from 'eslint';

const probes = JSON.parse(process.argv[2]);
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false, project: null } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});
const out = [];
for (const probe of probes) {
  const [result] = await eslint.lintText(probe.code, { filePath: probe.file });
  out.push({
    boundary: result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message),
    fatal: result.messages.filter((m) => m.fatal).map((m) => m.message),
  });
}
process.stdout.write(JSON.stringify(out));
