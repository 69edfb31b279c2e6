import { Command, InvalidArgumentError, Option } from 'commander';
import { ISSUE_CATEGORIES, ISSUE_SEVERITIES, LOG_LEVELS, STEP_NAMES } from '../api/contract.js';
import { packageVersion } from '../common/package-info.js';
import type { SimFlags } from './commands/sim/sim.js';
import type { CliContext, GlobalOptions } from './context.js';

/** A command's run function: gets the context and its parsed options, returns the exit code. */
export type Run<O> = (ctx: CliContext, options: O) => Promise<number | void>;

/**
 * Wires a command to its run module, loaded only when the command runs: `dynamo --help` and
 * `dynamo --version` never load the API client, ink or react. `parse` turns commander's
 * arguments into the command's typed options (flag parsing kept apart from the run function).
 */
function action<O>(load: () => Promise<{ run: Run<O> }>, parse: (args: string[], opts: Record<string, any>) => O) {
  return async function (this: Command, ...received: unknown[]): Promise<void> {
    const command = received[received.length - 1] as Command;
    const args = received.slice(0, -2) as string[];
    const all = command.optsWithGlobals() as GlobalOptions & Record<string, any>;
    const [{ CliContext }, { run }] = await Promise.all([import('./context.js'), load()]);
    const ctx = new CliContext(all);
    const code = await run(ctx, parse(args, command.opts()));
    exitCode.value = typeof code === 'number' ? code : 0;
  };
}

/** `start` and `restart` share one run; restart has no --skip-test-transaction, so it is false there. */
const startAction = (restart: boolean) =>
  action(() => import('./commands/session/start.js'), ([cp], o) => ({
    chargePointId: cp!,
    templateId: o['template'] as string | undefined,
    skipTestTransaction: o['skipTestTransaction'] === true,
    wait: o['wait'] === true,
    ...(restart && { restart: true }),
  }));

/** The exit code of the command that ran, read by main(). */
export const exitCode = { value: 0 };

const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

const port = (value: string): number => {
  const n = positiveInt('port')(value);
  if (n > 65_535) throw new InvalidArgumentError('port must be 0-65535');
  return n;
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('dynamo')
    .description('Commission EV charge points: against the hosted Dynamo CSMS, or a local one on this laptop for offline sites.')
    .version(packageVersion(), '-v, --version')
    .option('--api-url <url>', 'installer API to use (default: DYNAMO_API_URL, then the one you logged in to)')
    .option('--local', 'use the local server started with "dynamo local up" (logs in by itself)')
    .option('--json', 'print JSON (one document; NDJSON for --watch and --follow)')
    .option('--no-color', 'no colour or symbols (also NO_COLOR=1 or TERM=dumb)')
    .option('-q, --quiet', 'print only data and errors')
    .showHelpAfterError('(run with --help for usage)')
    // Before any subcommand is added, so they inherit it: main() maps parse errors to exit 2.
    .exitOverride()
    .configureHelp({ sortSubcommands: false })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 unexpected error, 2 usage or validation, 3 commissioning failed,
4 not logged in / not allowed, 5 conflict, 6 not found, 7 network unreachable.`,
    );

  program
    .command('login')
    .description('log in to the installer API (prompts on a terminal)')
    .option('--email <email>', 'your installer account')
    .option('--password-stdin', 'read the password from standard input (scripts and CI)')
    .action(action(() => import('./commands/auth/login.js'), (_a, o) => ({ email: o['email'] as string | undefined, passwordStdin: o['passwordStdin'] === true })));
  program.command('logout').description('forget the stored token for this API').action(action(() => import('./commands/auth/logout.js'), () => ({})));
  program.command('whoami').description('show who you are logged in as, where, and until when').action(action(() => import('./commands/auth/whoami.js'), () => ({})));

  program
    .command('start <charge-point>')
    .description('start a commissioning session (shows it live on a terminal)')
    .option('-t, --template <id>', 'commissioning template (default: the one for the model)')
    .option('--skip-test-transaction', 'skip the test transaction (no vehicle on site)')
    .option('-w, --wait', 'without a terminal: wait until the session ends (exit 0 passed, 3 failed)')
    .action(startAction(false));
  program
    .command('status <charge-point>')
    .description('the current or latest session of a charge point')
    .option('-w, --watch', 'follow it until it ends (exit 0 passed, 3 failed)')
    .action(action(() => import('./commands/session/status.js'), ([cp], o) => ({ chargePointId: cp!, watch: o['watch'] === true })));
  for (const [name, description] of [
    ['pause', 'pause the running session between OCPP calls'],
    ['resume', 'resume a paused session where it stopped'],
    ['stop', 'stop the session (a running test transaction is stopped too)'],
  ] as const) {
    program
      .command(`${name} <charge-point>`)
      .description(description)
      .action(action(() => import('./commands/session/control.js'), ([cp]) => ({ chargePointId: cp!, action: name })));
  }
  program
    .command('restart <charge-point>')
    .description('discard the current session and start again from the beginning')
    .option('-t, --template <id>', 'switch to another template')
    .option('-w, --wait', 'without a terminal: wait until the new session ends')
    .action(startAction(true));

  program
    .command('logs <charge-point>')
    .description('session logs (the latest session unless --session)')
    .option('-s, --session <id>', 'a specific session')
    .addOption(new Option('-l, --level <level>', 'only this level').choices(LOG_LEVELS))
    .option('-f, --follow', 'keep printing new lines until the session ends')
    .option('-n, --limit <n>', 'at most this many lines (the latest)', positiveInt('limit'))
    .action(
      action(() => import('./commands/logs/logs.js'), ([cp], o) => ({
        chargePointId: cp!,
        sessionId: o['session'] as string | undefined,
        level: o['level'] as (typeof LOG_LEVELS)[number] | undefined,
        follow: o['follow'] === true,
        limit: o['limit'] as number | undefined,
      })),
    );
  program
    .command('diagnostics <charge-point>')
    .description('what the charge point reported about itself')
    .option('--full', 'also every setting it reported (1.6 configuration keys, 2.0.1 device model), as its last session read them')
    .action(action(() => import('./commands/diagnostics/diagnostics.js'), ([cp], o) => ({ chargePointId: cp!, full: o['full'] === true })));
  program.command('templates').description('list commissioning templates').action(action(() => import('./commands/templates/list.js'), () => ({})));
  program
    .command('apply-template <charge-point> <template>')
    .description("push a template's settings (1.6 keys or 2.0.1 variables) to the charge point now")
    .action(action(() => import('./commands/templates/apply.js'), ([cp, template]) => ({ chargePointId: cp!, templateId: template! })));

  const issue = program.command('issue').description('report and list issues for a charge point');
  issue
    .command('report <charge-point>')
    .description('report a problem (a form on a terminal when fields are missing)')
    .addOption(new Option('-c, --category <category>').choices(ISSUE_CATEGORIES))
    .addOption(new Option('-s, --severity <severity>').choices(ISSUE_SEVERITIES))
    .option('-d, --description <text>', 'what happened (20 characters at least)')
    .addOption(new Option('--step <step>', 'the step it concerns').choices(STEP_NAMES))
    .option('-p, --photo-url <url>', 'a photo documenting it (repeatable)', collect)
    .action(
      action(() => import('./commands/issue/report.js'), ([cp], o) => ({
        chargePointId: cp!,
        category: o['category'] as (typeof ISSUE_CATEGORIES)[number] | undefined,
        severity: o['severity'] as (typeof ISSUE_SEVERITIES)[number] | undefined,
        description: o['description'] as string | undefined,
        step: o['step'] as (typeof STEP_NAMES)[number] | undefined,
        photoUrls: (o['photoUrl'] as string[] | undefined) ?? [],
      })),
    );
  issue
    .command('list <charge-point>')
    .description('issues reported for a charge point, with their sync state')
    .action(action(() => import('./commands/issue/list.js'), ([cp]) => ({ chargePointId: cp! })));

  program
    .command('commission <charge-point>')
    .description('mark the charge point commissioned (its latest session must have passed)')
    .action(action(() => import('./commands/commission/commission.js'), ([cp]) => ({ chargePointId: cp! })));

  const local = program.command('local').description('the local server for offline sites');
  local
    .command('up')
    .description('run the local server (OCPP for charge points, the installer API for the CLI)')
    .option('-p, --port <port>', 'installer API port', port, 8180)
    .option('--ocpp-port <port>', 'OCPP WebSocket port for charge points', port, 9000)
    .option('--api-host <address>', 'address of the installer API (127.0.0.1 keeps it to this laptop)', '127.0.0.1')
    .option('--data-dir <dir>', 'where the database, keys and templates live (default: DYNAMO_DATA_DIR or your data directory)')
    .option('--open', 'accept any charge point without a password (only on a network you trust)')
    .option('--heartbeat-interval <seconds>', 'heartbeat interval given to charge points at boot', positiveInt('heartbeat interval'), 300)
    .option('--pending-until-configured', "answer a new charge point's boot with Pending, configure it with its template, then accept it")
    .option('--sync-to <url>', 'keep sending issues, logs and sessions to this hosted API whenever it answers')
    .option('--tls-cert <file>', 'certificate (PEM) for wss:// on the OCPP port: security profile 2')
    .option('--tls-key <file>', 'its private key (PEM)')
    .action(
      action(() => import('./commands/local/up.js'), (_a, o) => ({
        port: o['port'] as number,
        ocppPort: o['ocppPort'] as number,
        apiHost: o['apiHost'] as string,
        dataDir: o['dataDir'] as string | undefined,
        open: o['open'] === true,
        heartbeatIntervalS: o['heartbeatInterval'] as number,
        pendingUntilConfigured: o['pendingUntilConfigured'] === true,
        syncTo: o['syncTo'] as string | undefined,
        tlsCert: o['tlsCert'] as string | undefined,
        tlsKey: o['tlsKey'] as string | undefined,
      })),
    );
  const cp = local.command('cp').description('which charge points may connect to the local server');
  cp.command('add <id>')
    .description('let a charge point connect; prints its password once (generated unless given)')
    .option('--password <password>', 'its Basic-auth password, 16-40 characters (seen by other users in ps: prefer the two below)')
    .option('--password-stdin', 'read the password from standard input (or set DYNAMO_CP_PASSWORD)')
    .action(
      action(() => import('./commands/local/cp.js'), ([id], o) => ({
        action: 'add' as const,
        id: id!,
        password: o['password'] as string | undefined,
        passwordStdin: o['passwordStdin'] === true,
      })),
    );
  cp.command('list').description('charge points, connected or not').action(action(() => import('./commands/local/cp.js'), () => ({ action: 'list' as const })));
  cp.command('remove <id>')
    .description("revoke a charge point's access (its sessions, logs and issues stay)")
    .action(action(() => import('./commands/local/cp.js'), ([id]) => ({ action: 'remove' as const, id: id! })));

  program
    .command('sync')
    .description('send issues, logs and sessions recorded offline to the hosted API')
    .option('--status', 'show what is pending, sent and parked, without sending')
    .option('--retry-parked', 'put parked records back in line first')
    .option('--to <url>', 'hosted API to send to (default: the one you logged in to)')
    .option('--data-dir <dir>', 'local server data directory (default: DYNAMO_DATA_DIR or your data directory)')
    .option('--max-wait <seconds>', 'keep retrying an unreachable API this long', positiveInt('max wait'), 600)
    .option('--log-batch <lines>', 'log lines per request (smaller on a poor link)', positiveInt('log batch'), 2000)
    .action(
      action(() => import('./commands/sync/sync.js'), (_a, o) => ({
        status: o['status'] === true,
        retryParked: o['retryParked'] === true,
        to: o['to'] as string | undefined,
        dataDir: o['dataDir'] as string | undefined,
        maxWaitS: o['maxWait'] as number,
        logBatch: o['logBatch'] as number,
      })),
    );

  program
    .command('sim')
    .description('run simulated charge points against an OCPP server until interrupted')
    .addOption(new Option('--ocpp <version>', 'OCPP version the charge points speak').choices(['1.6', '2.0.1']).default('1.6'))
    .option('--url <url>', 'Central System URL without the id (default: the local server)')
    .option('--id <id>', 'charge point id; with --count, the prefix', 'CP-SIM')
    .option('-n, --count <n>', 'how many charge points', positiveInt('count'), 1)
    .option('--password <password>', 'Basic-auth password (seen by other users in ps: prefer the two below)')
    .option('--password-stdin', 'read the password from standard input (or set DYNAMO_CP_PASSWORD)')
    .option('--ca <file>', 'trust this certificate (PEM) for a wss:// Central System')
    .option('--connectors <n>', 'connectors per charge point (2.0.1: EVSEs, one connector each)', positiveInt('connectors'), 1)
    .option('--vendor <name>', 'vendor in BootNotification', 'Dynamo')
    .option('--model <name>', 'model in BootNotification', 'SimCharger AC22')
    .option('--power <watts>', 'charging power', positiveInt('power'), 11_000)
    .option('--reject-keys <names>', 'fault: settings answered Rejected (1.6 keys, or 2.0.1 Component.Variable; comma-separated)')
    .option('--unsupported-keys <names>', 'fault: settings the firmware does not know (2.0.1: UnknownVariable)')
    .option('--unknown-components <names>', 'fault (2.0.1): components the firmware does not have (UnknownComponent)')
    .option('--ignore-keys <names>', 'fault: settings answered Accepted but not changed')
    .option('--reboot-keys <names>', 'fault: settings answered RebootRequired')
    .option('--authorization-key-as-text', "quirk (1.6): use an AuthorizationKey's text as the password, not the bytes its hex encodes")
    .option('--no-trigger', 'fault: no TriggerMessage support')
    .option('--refuse-remote-start', 'fault: remote start answered Rejected')
    .option('--drop-after <seconds>', 'fault: drop the connection after this long', Number)
    .option('--return-after <seconds>', 'fault: come back this long after a drop', Number)
    .option('--slow <ms>', 'fault: delay every answer', Number)
    .option('--invalid-payloads', 'fault: send schema-invalid answers and notifications')
    .option('--no-heartbeats', 'fault: never send a Heartbeat')
    .option('--wrong-password', 'fault: present a wrong password')
    .option('--silent-reconnect', 'fault: reconnect without a BootNotification')
    .option('--zero-energy', 'fault: the meter does not advance')
    .action(action(() => import('./commands/sim/sim.js'), (_a, o) => o as SimFlags));

  program
    .command('demo')
    .description('a local server, a simulated charge point and a full commissioning, shown live')
    .addOption(new Option('--ocpp <version>', 'OCPP version the simulated charge point speaks').choices(['1.6', '2.0.1']).default('1.6'))
    .option('--keep', 'keep the temporary data directory')
    .action(action(() => import('./commands/demo/demo.js'), (_a, o) => ({ keep: o['keep'] === true, ocpp: o['ocpp'] as '1.6' | '2.0.1' })));

  return program;
}
