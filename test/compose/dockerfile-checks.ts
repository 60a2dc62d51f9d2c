import path from 'node:path';

/** One instruction of a Dockerfile, continuation lines joined, comments dropped. */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The image or earlier stage it starts from, build args substituted. */
  from: string;
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Build args declared before the first FROM, with their defaults. */
  globalArgs: Record<string, string | undefined>;
  stages: Stage[];
}

/**
 * Enough of the Dockerfile grammar for the checks below: `\` continuations, comment lines (also
 * inside a continuation, as BuildKit drops them), `ARG` defaults before the first `FROM` and
 * their `${NAME}`/`$NAME` use in `FROM`. Heredocs are not supported, and none are used.
 */
export function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continued = trimmed.endsWith('\\');
    const piece = continued ? trimmed.slice(0, -1) : trimmed;
    pending = pending ? { text: `${pending.text} ${piece}`, line: pending.line } : { text: piece, line: index + 1 };
    if (continued) return;
    const [keyword, ...rest] = pending.text.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = undefined;
  });

  const globalArgs: Record<string, string | undefined> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((w) => !w.startsWith('--'));
      const from = words[0].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, name: string) => globalArgs[name] ?? m);
      const as = words.findIndex((w) => w.toUpperCase() === 'AS');
      stages.push({ from, name: as === -1 ? undefined : words[as + 1], instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword === 'ARG') {
        const [name, value] = instruction.args.split('=');
        globalArgs[name.trim()] = value?.trim();
      }
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
const finalStage = (file: Dockerfile) => file.stages[file.stages.length - 1];

/** `COPY [--from=x] [--chown=...] src... dest` as its stage (if any), sources and destination. */
function copyOf(instruction: Instruction): { from?: string; sources: string[]; dest: string } {
  const words = instruction.args.split(/\s+/);
  const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((w) => !w.startsWith('--'));
  return { from, sources: paths.slice(0, -1), dest: paths[paths.length - 1] };
}

/** Multi-stage: the dependencies are installed in a stage of their own. */
export function stageProblems(file: Dockerfile): string[] {
  return file.stages.length >= 2 ? [] : [`a multi-stage build is expected (found ${file.stages.length} stage)`];
}

/** Every base image is pinned to a tag other than latest (or to a digest); stages may build on earlier stages. */
export function baseImageProblems(file: Dockerfile): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const stage of file.stages) {
    if (names.has(stage.from)) {
      if (stage.name) names.add(stage.name);
      continue;
    }
    if (stage.from.includes('$')) problems.push(`FROM ${stage.from}: a build arg without a default`);
    else if (!stage.from.includes('@sha256:')) {
      const lastSlash = stage.from.lastIndexOf('/');
      const colon = stage.from.indexOf(':', lastSlash + 1);
      const tag = colon === -1 ? 'latest' : stage.from.slice(colon + 1);
      if (tag === 'latest') problems.push(`FROM ${stage.from}: the image is not pinned (tag latest)`);
    }
    if (stage.name) names.add(stage.name);
  }
  return problems;
}

/** The image runs as a numeric, non-root user (numeric, so Kubernetes can verify runAsNonRoot). */
export function userProblems(file: Dockerfile): string[] {
  const users = finalStage(file)?.instructions.filter((i) => i.keyword === 'USER') ?? [];
  if (users.length === 0) return ['the final stage sets no USER (it would run as root)'];
  const user = users[users.length - 1].args.trim();
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) return [`USER ${user}: use a numeric uid[:gid], so that runAsNonRoot can be checked`];
  return Number(match[1]) === 0 ? [`USER ${user}: the final user is root`] : [];
}

/**
 * Dependencies come from the lockfile (`npm ci`, never `npm install`), which the installing stage
 * copies in first; the final stage takes node_modules from a stage that left dev dependencies out.
 */
export function dependencyProblems(file: Dockerfile): string[] {
  const problems: string[] = [];
  for (const stage of file.stages) {
    for (const run of runs(stage)) {
      if (/\bnpm\s+(install|i|add)\b/.test(run)) problems.push(`RUN ${run}: use npm ci (the lockfile), not npm install`);
    }
  }
  const installing = file.stages.filter((s) => runs(s).some((r) => /\bnpm\s+ci\b/.test(r)));
  if (installing.length === 0) problems.push('no stage runs npm ci');
  for (const stage of installing) {
    const ci = stage.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm\s+ci\b/.test(i.args));
    const lockCopied = stage.instructions.slice(0, ci).some((i) => i.keyword === 'COPY' && copyOf(i).sources.some((s) => path.posix.basename(s) === 'package-lock.json'));
    if (!lockCopied) problems.push(`stage ${stage.name ?? stage.from}: package-lock.json is not copied before npm ci`);
  }
  const final = finalStage(file);
  if (!final) return problems;
  const modules = final.instructions.filter((i) => i.keyword === 'COPY').map(copyOf).find((c) => c.sources.some((s) => s.endsWith('node_modules')));
  if (!modules?.from) {
    problems.push('the final stage must copy node_modules from the stage that installed them');
  } else {
    const source = file.stages.find((s) => s.name === modules.from);
    const pruned = source && runs(source).some((r) => /\bnpm\s+(ci|prune)\b[^&;]*--omit[= ]dev\b/.test(r) || /\bnpm\s+prune\b[^&;]*--production\b/.test(r));
    if (!pruned) problems.push(`node_modules come from stage ${modules.from}, which does not leave dev dependencies out (npm ci --omit=dev)`);
  }
  return problems;
}

/** NODE_ENV=production in the image the services run from. */
export function nodeEnvProblems(file: Dockerfile): string[] {
  const env: Record<string, string> = {};
  for (const i of finalStage(file)?.instructions.filter((x) => x.keyword === 'ENV') ?? []) {
    if (i.args.includes('=')) {
      for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else {
      const [key, ...value] = i.args.split(/\s+/);
      env[key] = value.join(' ');
    }
  }
  return env.NODE_ENV === 'production' ? [] : [`NODE_ENV is ${String(env.NODE_ENV)} in the final stage, not production`];
}

/** The final stage holds what the services' commands run: the sources, the manifests, tsconfig for @swc-node/register. */
export function contentProblems(file: Dockerfile, needed: string[]): string[] {
  const copied = new Set((finalStage(file)?.instructions ?? []).filter((i) => i.keyword === 'COPY').map(copyOf).filter((c) => !c.from).flatMap((c) => c.sources.map((s) => path.posix.normalize(s))));
  return needed.filter((n) => !copied.has(n)).map((n) => `the final stage does not copy ${n}`);
}

/** `.dockerignore` patterns, without comments and blank lines. */
export function parseDockerignore(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether Docker leaves `file` (relative to the context) out of the build context: the last
 * pattern matching it or one of its parent directories decides, `!` patterns re-include.
 */
export function isIgnored(file: string, patterns: string[]): boolean {
  const parts = file.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const raw of patterns) {
    const negate = raw.startsWith('!');
    const pattern = path.posix.normalize(negate ? raw.slice(1) : raw).replace(/^\/+/, '');
    const re = globToRegExp(pattern);
    if (candidates.some((c) => re.test(c))) ignored = !negate;
  }
  return ignored;
}

/** Installed and VCS files stay out of the context; what the image is built from stays in. */
export function dockerignoreProblems(patterns: string[], mustKeep: string[]): string[] {
  const problems: string[] = [];
  for (const excluded of ['node_modules', 'node_modules/x/index.js', 'apps/gateway/node_modules', 'libs/dtdl/node_modules/x.js', '.git', '.git/HEAD']) {
    if (!isIgnored(excluded, patterns)) problems.push(`.dockerignore lets ${excluded} into the build context`);
  }
  for (const kept of mustKeep) {
    if (isIgnored(kept, patterns)) problems.push(`.dockerignore leaves out ${kept}, which the image needs`);
  }
  return problems;
}

/** What the Explorer's build reads: its folder, and the libraries it imports (by their sources). */
export interface ExplorerBuild { libs: string[] }

/**
 * The image holds the built Explorer: the final stage copies `apps/explorer/dist` from a stage
 * that builds it with Vite, with the development dependencies (Vite itself is one) and the
 * sources of the Explorer and of every library it imports.
 */
export function explorerProblems(file: Dockerfile, build: ExplorerBuild): string[] {
  const final = finalStage(file);
  const copy = final?.instructions.filter((i) => i.keyword === 'COPY').map(copyOf).find((c) => c.from && c.sources.some((s) => /apps\/explorer\/dist\/?$/.test(s)));
  if (!copy) return ['the final stage does not copy the built Explorer (apps/explorer/dist) from a build stage'];
  const problems: string[] = [];
  if (path.posix.normalize(copy.dest) !== 'apps/explorer/dist') problems.push(`the built Explorer goes to ${copy.dest}, not ./apps/explorer/dist where the gateway serves it from`);
  const stage = file.stages.find((s) => s.name === copy.from);
  if (!stage) return [...problems, `the built Explorer comes from ${copy.from}, which is not a stage of this file`];
  const stageRuns = runs(stage);
  if (!stageRuns.some((r) => /vite(\.js)?\s+build\b/.test(r))) problems.push(`stage ${copy.from} does not run vite build`);
  const ci = stageRuns.find((r) => /\bnpm\s+ci\b/.test(r));
  const production = stage.instructions.some((i) => i.keyword === 'ENV' && /NODE_ENV[= ]production/.test(i.args));
  if (!ci) problems.push(`stage ${copy.from} installs no dependencies (npm ci)`);
  else if (/--omit[= ]dev/.test(ci) || (production && !/--include[= ]dev/.test(ci))) problems.push(`stage ${copy.from} leaves out the development dependencies the Explorer is built with (npm ci --include=dev)`);
  const copied = new Set(stage.instructions.filter((i) => i.keyword === 'COPY').map(copyOf).filter((c) => !c.from).flatMap((c) => c.sources.map((s) => path.posix.normalize(s))));
  for (const needed of ['apps/explorer', ...build.libs.map((l) => `libs/${l}`)]) {
    if (!copied.has(needed) && !copied.has(needed.split('/')[0])) problems.push(`stage ${copy.from} does not copy ${needed}, which the Explorer's build reads`);
  }
  return problems;
}
