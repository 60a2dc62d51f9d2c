import { Command, CommanderError, Option } from 'commander';
import { describeError, exitCodeOf, ExitCode } from './errors';
import { completionCommand } from './commands/completion';
import { connectionCommands } from './commands/connections';
import { jobCommands } from './commands/jobs';
import { modelCommands } from './commands/models';
import { profileCommands } from './commands/profiles';
import { routingCommands } from './commands/routing';
import { twinCommands } from './commands/twins';

declare const DT_VERSION: string | undefined;

/** The `dt` command tree: az dt's nouns, verbs and long flags, plus our extensions. */
export function buildProgram(): Command {
  const dt = new Command('dt')
    .description('Open Digital Twins from the command line: az dt\'s commands against any instance.')
    .version(typeof DT_VERSION === 'string' ? DT_VERSION : '0.0.0-dev', '-v, --version')
    .addOption(new Option('--endpoint <url>', 'The instance\'s URL (or host name); default: the profile\'s, or DT_ENDPOINT.'))
    .addOption(new Option('-n, --dt-name <url>', 'az\'s name for --endpoint.').hideHelp())
    .addOption(new Option('--profile <name>', 'The profile to use (default: the current one, or DT_PROFILE).'))
    .addOption(new Option('-o, --output <format>', 'json, jsonl (one item per line, streamed), yaml, table or none.'))
    .addOption(new Option('--query <jmespath>', 'A JMESPath query over the output, as in az (with jsonl: over each item).'))
    .addOption(new Option('-y, --yes', 'Do not ask for confirmation (required when not on a terminal).'))
    .addOption(new Option('--no-progress', 'No progress lines on stderr.'))
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  modelCommands(dt);
  twinCommands(dt);
  routingCommands(dt);
  jobCommands(dt);
  connectionCommands(dt);
  profileCommands(dt);
  completionCommand(dt);
  const exitOnError = (cmd: Command) => {
    cmd.exitOverride();
    cmd.commands.forEach(exitOnError);
  };
  exitOnError(dt);
  return dt;
}

export async function main(argv = process.argv): Promise<void> {
  const dt = buildProgram();
  try {
    await dt.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version exit 0; every parse error (unknown flag or command, missing value) is a usage error.
      process.exitCode = err.exitCode === 0 ? 0 : ExitCode.Usage;
      return;
    }
    process.stderr.write(`error: ${describeError(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
  if (process.env.DT_REPORT_PEAK_RSS) process.stderr.write(`peak-rss-kb: ${process.resourceUsage().maxRSS}\n`);
}
