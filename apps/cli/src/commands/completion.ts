import type { Command } from 'commander';
import { CliError } from '../errors';

interface Node {
  path: string;
  children: string[];
  options: string[];
}

/** Every command of the tree with its subcommands and (visible) long options. */
function walk(cmd: Command, path: string[] = [], out: Node[] = []): Node[] {
  const children = cmd.commands.map((c) => c.name());
  const options = [...cmd.options, ...(path.length === 0 ? [] : cmd.parent?.options ?? [])].filter((o) => !o.hidden && o.long).map((o) => o.long as string);
  out.push({ path: path.join(' '), children, options: [...new Set(options)] });
  for (const c of cmd.commands) walk(c, [...path, c.name()], out);
  return out;
}

function bash(nodes: Node[]): string {
  const cases = (pick: (n: Node) => string[]) => nodes.map((n) => `    "${n.path}") echo "${pick(n).join(' ')}" ;;`).join('\n');
  return `# dt completion for bash: source <(dt completion bash)
_dt_children() {
  case "$1" in
${cases((n) => n.children)}
  esac
}
_dt_words() {
  case "$1" in
${cases((n) => [...n.children, ...n.options])}
  esac
}
_dt_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" path="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case " $(_dt_children "$path") " in *" $w "*) path="\${path:+$path }$w" ;; esac
  done
  COMPREPLY=($(compgen -W "$(_dt_words "$path")" -- "$cur"))
}
complete -o default -F _dt_completion dt
`;
}

function zsh(nodes: Node[]): string {
  return `#compdef dt
# dt completion for zsh: source <(dt completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(nodes).split('\n').slice(1).join('\n')}`;
}

function fish(nodes: Node[]): string {
  const lines = [
    '# dt completion for fish: dt completion fish > ~/.config/fish/completions/dt.fish',
    'function __dt_path',
    '  set -l tokens (commandline -opc)',
    '  set -e tokens[1]',
    '  set -l path',
    '  for t in $tokens',
    "    if not string match -q -- '-*' $t",
    '      set path $path $t',
    '    end',
    '  end',
    "  string join ' ' $path",
    'end',
  ];
  for (const n of nodes) {
    const cond = `test "(__dt_path)" = "${n.path}"`;
    if (n.children.length > 0) lines.push(`complete -c dt -f -n '${cond}' -a '${n.children.join(' ')}'`);
    for (const o of n.options) lines.push(`complete -c dt -n '${cond}' -l ${o.replace(/^--/, '')}`);
  }
  return `${lines.join('\n')}\n`;
}

export function completionCommand(dt: Command): void {
  dt.command('completion')
    .description('Print a shell completion script: bash, zsh or fish.')
    .argument('<shell>', 'bash, zsh or fish')
    .action((shell: string) => {
      const nodes = walk(dt);
      const scripts: Record<string, (n: Node[]) => string> = { bash, zsh, fish };
      const make = scripts[shell];
      if (!make) throw new CliError(`No completion for ${shell}: use bash, zsh or fish.`);
      process.stdout.write(make(nodes));
    });
}
