import { Argument, Command, InvalidArgumentError, Option } from 'commander';
import { ISSUE_CATEGORIES, ISSUE_SEVERITIES, LOG_LEVELS, STEP_NAMES } from '../api/contract.js';
import { packageVersion } from '../common/package-info.js';
import { FIRMWARE_FAILURES } from '../sim/firmware-failures.js';
import type { SimFlags } from './commands/sim/sim.js';
import type { ReportFormat } from './commands/report/report.js';
import type { CliContext, GlobalOptions } from './context.js';
import { UsageError } from './errors.js';
import type { HintContext } from './exit-codes.js';

/**
 * Sessions running at once in a site run (`start` with many charge points). Each is a real
 * charger doing a test transaction (up to 22 kW on an AC site): eight keep a car park's supply,
 * the site LAN and the laptop comfortable.
 */
const DEFAULT_CONCURRENCY = 8;

/** A command's run function: gets the context and its parsed options, returns the exit code. */
export type Run<O> = (ctx: CliContext, options: O) => Promise<number | void>;

/** The one charge point a command is about, when it is about one (`start CP-1`, not a site run). */
function chargePointOf(command: Command, args: unknown[]): string | undefined {
  const first = command.registeredArguments[0]?.name();
  if (first !== 'charge-point' && first !== 'charge-points') return undefined;
  // `start` hands its single-id run one id, and its site run the list.
  const ids = Array.isArray(args[0]) ? (args[0] as string[]) : [args[0] as string];
  return ids.length === 1 ? ids[0] : undefined;
}

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
    // Known before the command runs, so that the hint of any error it raises is a command to paste.
    hintContext.value = { command: (a, o) => ctx.command(a, o), chargePointId: chargePointOf(command, args) };
    if (all.local && all.apiUrl) throw new UsageError('--local and --api-url name two different servers: use one of them');
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
    ...(o['recommission'] === true && { recommission: true }),
    ...(o['yes'] === true && { yes: true }),
  }));

/** The exit code of the command that ran, read by main(). */
export const exitCode = { value: 0 };

/** How the command that ran writes commands for its server, read by main() for error hints. */
export const hintContext: { value: HintContext | undefined } = { value: undefined };

const positiveInt = (name: string) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number`);
  return n;
};

/** A number, with a fraction allowed (seconds, milliseconds): for the simulator's faults. */
const positiveNumber = (name: string) => (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of 0 or more`);
  return n;
};

/** A URL of one of `schemes`, checked before anything is sent: `htp:/bad` is a usage error naming the flag. */
const urlOf = (schemes: string[], example: string) => (value: string): string => {
  let url: URL | null = null;
  try {
    url = new URL(value);
  } catch {
    // Said below, with an example.
  }
  if (!url || !schemes.includes(url.protocol) || url.host === '') throw new InvalidArgumentError(`must be a ${schemes.map((s) => `${s}//`).join(' or ')} URL with a host, like ${example}`);
  return value;
};

const httpUrl = urlOf(['http:', 'https:'], 'https://api.dynamo-csms.com');
const wsUrl = urlOf(['ws:', 'wss:'], 'ws://127.0.0.1:9000/ocpp');

/** Examples under each command's help, by its path: every command has some (test/cli/help.test.ts). */
const EXAMPLES: Record<string, string[]> = {
  login: ['dynamo login --api-url https://api.dynamo-csms.com', 'dynamo login --email me@example.com --password-stdin < password.txt'],
  logout: ['dynamo logout', 'dynamo --api-url https://api.dynamo-csms.com logout'],
  whoami: ['dynamo whoami', 'dynamo --local whoami --json'],
  start: [
    'dynamo --local start CP-SITE42-001',
    'dynamo start CP-SITE42-001 -t tpl_dc_rapid_50kw --wait --json',
    'dynamo --local start --all-connected --concurrency 4',
    'dynamo --local start CP-SITE42-001 --recommission --yes',
  ],
  firmware: ['dynamo --local firmware update CP-SITE42-001 --file fw-2.4.1.bin --version 2.4.1'],
  'firmware update': ['dynamo --local firmware update CP-SITE42-001 CP-SITE42-002 --file fw-2.4.1.bin --version 2.4.1', 'dynamo --local firmware update CP-SITE42-001 --file fw.bin --version 2.4.1 --wait --json'],
  site: ['dynamo --local site', 'dynamo --local site --json'],
  report: ['dynamo --local report CP-SITE42-001 --out CP-SITE42-001.html', 'dynamo --local report --site --format pdf --out site42.pdf', 'dynamo report CP-SITE42-001 --format md'],
  status: ['dynamo --local status CP-SITE42-001', 'dynamo status CP-SITE42-001 --watch --json'],
  pause: ['dynamo --local pause CP-SITE42-001'],
  resume: ['dynamo --local resume CP-SITE42-001'],
  stop: ['dynamo --local stop CP-SITE42-001'],
  restart: ['dynamo --local restart CP-SITE42-001', 'dynamo restart CP-SITE42-001 --template tpl_dc_rapid_50kw --wait'],
  logs: ['dynamo --local logs CP-SITE42-001 --min-level warn', 'dynamo logs CP-SITE42-001 --follow --json'],
  diagnostics: ['dynamo --local diagnostics CP-SITE42-001', 'dynamo --local diagnostics CP-SITE42-001 --full'],
  templates: ['dynamo --local templates', 'dynamo templates --json'],
  'apply-template': ['dynamo --local apply-template CP-SITE42-001 tpl_standard_ac_22kw'],
  issue: ['dynamo --local issue report CP-SITE42-001', 'dynamo --local issue list CP-SITE42-001'],
  'issue report': ['dynamo --local issue report CP-SITE42-001', 'dynamo issue report CP-SITE42-001 -c hardware_defect -s high -d "RCD trips at 16 A on phase 2"'],
  'issue list': ['dynamo --local issue list CP-SITE42-001', 'dynamo issue list CP-SITE42-001 --json'],
  'issue view': ['dynamo --local issue view LOC-2026-00001', 'dynamo issue view DYN-2026-00847 --json'],
  commission: ['dynamo --local commission CP-SITE42-001'],
  local: ['dynamo local up', 'dynamo --local local cp list'],
  'local up': ['dynamo local up', 'dynamo local up --data-dir ~/site42 --ocpp-port 9100', 'dynamo local up --sync-to https://api.dynamo-csms.com'],
  'local cp': ['dynamo local cp add CP-SITE42-001', 'dynamo local cp list'],
  'local cp add': ['dynamo local cp add CP-SITE42-001', 'dynamo local cp add CP-SITE42-001 --password-stdin < password.txt'],
  'local cp list': ['dynamo local cp list', 'dynamo --data-dir ~/site42 local cp list --json'],
  'local cp remove': ['dynamo local cp remove CP-SITE42-001'],
  sync: ['dynamo sync', 'dynamo sync --status', 'dynamo sync --retry-parked --to https://api.dynamo-csms.com'],
  sim: ['dynamo sim --ocpp 2.0.1 --count 3 --url ws://127.0.0.1:9000/ocpp', 'DYNAMO_CP_PASSWORD=… dynamo sim --id CP-SITE42-001', 'dynamo sim --reject-keys MeterValueSampleInterval --drop-after 30'],
  demo: ['dynamo demo', 'dynamo demo --ocpp 2.0.1'],
  completion: ['dynamo completion bash > ~/.local/share/bash-completion/completions/dynamo', 'dynamo completion zsh > "${fpath[1]}/_dynamo"', 'dynamo completion fish > ~/.config/fish/completions/dynamo.fish'],
};

/** Every command under `root`, with its path (`local cp add`). */
export function walkCommands(root: Command, prefix: string[] = []): { path: string; command: Command }[] {
  return root.commands.flatMap((c) => {
    const path = [...prefix, c.name()];
    return [{ path: path.join(' '), command: c }, ...walkCommands(c, path)];
  });
}

const port = (value: string): number => {
  const n = positiveInt('port')(value);
  if (n > 65_535) throw new InvalidArgumentError('port must be 0-65535');
  return n;
};

/** Said here rather than imported: the report's run module loads only when it runs. */
const REPORT_FORMATS = ['html', 'pdf', 'md', 'json'] as const;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildProgram(): Command {
  const program = new Command('dynamo')
    .description('Commission EV charge points: against the hosted Dynamo CSMS, or a local one on this laptop for offline sites.')
    .version(packageVersion(), '-v, --version')
    .option('--api-url <url>', 'installer API to use (default: DYNAMO_API_URL, then the one you logged in to)', httpUrl)
    .option('--local', 'use the local server started with "dynamo local up" (logs in by itself)')
    .option('--data-dir <dir>', 'the local server\'s data directory, for local up, --local, local cp and sync (default: DYNAMO_DATA_DIR, then your data directory)')
    .option('--json', 'print JSON (one document; NDJSON for --watch and --follow)')
    .option('--no-color', 'no colour or symbols (also NO_COLOR=1 or TERM=dumb)')
    .option('-q, --quiet', 'print only data and errors')
    .showHelpAfterError('(run with --help for usage)')
    // Before any subcommand is added, so they inherit it: main() maps parse errors to exit 2.
    .exitOverride()
    .configureHelp({ sortSubcommands: false, showGlobalOptions: true })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 unexpected error, 2 usage or validation, 3 commissioning failed,
4 not logged in / not allowed, 5 conflict, 6 not found, 7 network unreachable or no local server,
8 a program the command needs is missing (Chromium for report --format pdf), 130 interrupted.

Examples:
  $ dynamo local up
  $ dynamo --local start CP-SITE42-001
  $ dynamo completion bash > ~/.local/share/bash-completion/completions/dynamo`,
    );

  program
    .command('login')
    .description('log in to the installer API (prompts on a terminal)')
    .option('--email <email>', 'your installer account')
    .option('--password-stdin', 'read the password from standard input (scripts and CI)')
    .action(action(() => import('./commands/auth/login.js'), (_a, o) => ({ email: o['email'] as string | undefined, passwordStdin: o['passwordStdin'] === true })));
  program.command('logout').description('forget the stored token for this API').action(action(() => import('./commands/auth/logout.js'), () => ({})));
  program.command('whoami').description('show who you are logged in as, where, and until when').action(action(() => import('./commands/auth/whoami.js'), () => ({})));

  const startOne = startAction(false);
  const startMany = action(() => import('./commands/session/start-many.js'), ([ids], o) => ({
    chargePointIds: (ids ?? []) as unknown as string[],
    allConnected: o['allConnected'] === true,
    allPending: o['allPending'] === true,
    concurrency: o['concurrency'] as number,
    templateId: o['template'] as string | undefined,
    skipTestTransaction: o['skipTestTransaction'] === true,
    recommission: o['recommission'] === true,
  }));
  program
    .command('start [charge-points...]')
    .description('start a commissioning session (shows it live on a terminal); several ids, --all-connected or --all-pending: a whole site')
    .option('-t, --template <id>', 'commissioning template (default: the one for the model)')
    .option('--skip-test-transaction', 'skip the test transaction (no vehicle on site)')
    .option('-w, --wait', 'without a terminal: wait until the session ends (exit 0 passed, 3 failed); a site run always waits')
    .option('--recommission', 'commission a commissioned charge point again (a replaced board); asks first (local server)')
    .option('-y, --yes', 'answer yes to the question --recommission asks (scripts)')
    .option('--all-connected', 'every connected charge point not yet commissioned (local server only: the hosted API has no list, give ids there)')
    .option('--all-pending', 'of those, the ones with no session running and none passed (local server only)')
    .option('--concurrency <n>', `sessions running at once in a site run`, positiveInt('concurrency'), DEFAULT_CONCURRENCY)
    .action(function (this: Command, ids: string[], opts: Record<string, unknown>, command: Command) {
      // One id: the single-session command as it always was; anything else: a site run.
      const many = ids.length !== 1 || opts['allConnected'] === true || opts['allPending'] === true;
      return many ? startMany.call(this, ids, opts, command) : startOne.call(this, ids[0], opts, command);
    });
  program
    .command('site')
    .description("every charge point of the local server, its latest session and what to do next (the hosted API has no list: use status per id there)")
    .action(action(() => import('./commands/site/site.js'), () => ({})));
  program
    .command('status <charge-point>')
    .description('the current or latest session of a charge point')
    .option('--watch', 'follow it until it ends (exit 0 passed, 3 failed)')
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
    .option('--session <id>', 'a specific session')
    .addOption(new Option('-l, --level <level>', 'only this level (the API\'s exact match)').choices(LOG_LEVELS))
    .addOption(new Option('--min-level <level>', 'this level and worse: warn shows warn and error').choices(LOG_LEVELS).conflicts('level'))
    .option('-f, --follow', 'keep printing new lines until the session ends')
    .option('-n, --limit <n>', 'at most this many lines (the latest)', positiveInt('limit'))
    .option('--firmware', "the charge point's own log of firmware updates instead (local server)")
    .option('--charger-diagnostics', "the charge point's own log of diagnostics fetches instead (local server)")
    .action(
      action(() => import('./commands/logs/logs.js'), ([cp], o) => ({
        chargePointId: cp!,
        ...(o['firmware'] === true && { topic: 'firmware' as const }),
        ...(o['chargerDiagnostics'] === true && { topic: 'diagnostics' as const }),
        sessionId: o['session'] as string | undefined,
        level: o['level'] as (typeof LOG_LEVELS)[number] | undefined,
        minLevel: o['minLevel'] as (typeof LOG_LEVELS)[number] | undefined,
        follow: o['follow'] === true,
        limit: o['limit'] as number | undefined,
      })),
    );
  program
    .command('diagnostics <charge-point>')
    .description('what the charge point reported about itself')
    .option('--full', 'also every setting it reported (1.6 configuration keys, 2.0.1 device model), as its last session read them')
    .option('--fetch', "ask the charger for its own diagnostics file, uploaded to the local server (1.6 GetDiagnostics, 2.0.1 GetLog)")
    .option('--out <file>', 'with --fetch: also copy the file here')
    .action(
      action(() => import('./commands/diagnostics/diagnostics.js'), ([cp], o) => ({
        chargePointId: cp!,
        full: o['full'] === true,
        fetch: o['fetch'] === true,
        out: o['out'] as string | undefined,
      })),
    );
  const firmware = program.command('firmware').description("the chargers' firmware, served by the local server (--local)");
  firmware
    .command('update <charge-point...>')
    .description('send a firmware image to charge points and follow each update to its reboot')
    .requiredOption('--file <path>', 'the firmware image')
    .option('--version <version>', 'the version each must report after its reboot (else any counts)')
    .option('--retrieve-at <time>', 'when the chargers may fetch it (ISO 8601; default now)')
    .option('--signature-file <path>', "OCPP 2.0.1: the image's signature (base64)")
    .option('--signing-certificate <path>', 'OCPP 2.0.1: the PEM certificate it was signed with')
    .option('-w, --wait', 'without a terminal: follow the updates to their end (NDJSON)')
    .action(
      action(() => import('./commands/firmware/update.js'), (ids, o) => ({
        chargePointIds: ids.flat(),
        file: o['file'] as string,
        version: o['version'] as string | undefined,
        retrieveAt: o['retrieveAt'] as string | undefined,
        signatureFile: o['signatureFile'] as string | undefined,
        signingCertificate: o['signingCertificate'] as string | undefined,
        wait: o['wait'] === true,
      })),
    );
  program.command('templates').description('list commissioning templates').action(action(() => import('./commands/templates/list.js'), () => ({})));
  program
    .command('apply-template <charge-point> <template>')
    .description("push a template's settings (1.6 keys or 2.0.1 variables) to the charge point now")
    .option('-y, --yes', 'do not ask when the template is made for other models')
    .option('--force', 'the same as --yes')
    .action(action(() => import('./commands/templates/apply.js'), ([cp, template], o) => ({ chargePointId: cp!, templateId: template!, yes: o['yes'] === true || o['force'] === true })));

  const issue = program.command('issue').description('report and list issues for a charge point');
  issue
    .command('report <charge-point>')
    .description('report a problem (a form on a terminal when fields are missing)')
    .addOption(new Option('-c, --category <category>', 'what kind of problem').choices(ISSUE_CATEGORIES))
    .addOption(new Option('-s, --severity <severity>', 'how bad it is').choices(ISSUE_SEVERITIES))
    .option('-d, --description <text>', 'what happened (20 characters at least)')
    .addOption(new Option('--step <step>', 'the step it concerns').choices(STEP_NAMES))
    .option('-p, --photo-url <url>', 'a photo documenting it (repeatable)', collect)
    .option('--attach-diagnostics', "name the charger's diagnostics file last fetched with diagnostics --fetch (a reference; the file stays on the laptop)")
    .action(
      action(() => import('./commands/issue/report.js'), ([cp], o) => ({
        chargePointId: cp!,
        attachDiagnostics: o['attachDiagnostics'] === true,
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
  issue
    .command('view <reference>')
    .description('one issue in full, by its reference (hosted or local: DYN-… or LOC-…)')
    .option('--charge-point <id>', 'look only among this charge point\'s issues')
    .action(action(() => import('./commands/issue/view.js'), ([reference], o) => ({ reference: reference!, chargePointId: o['chargePoint'] as string | undefined })));

  program
    .command('commission <charge-point>')
    .description('mark the charge point commissioned (its latest session must have passed)')
    .action(action(() => import('./commands/commission/commission.js'), ([cp]) => ({ chargePointId: cp! })));

  program
    .command('report [charge-points...]')
    .description('the commissioning report to hand over: per charge point, or --site (HTML, PDF, Markdown or JSON)')
    .option('--site', 'every charge point of the local server (with --local; the hosted API has no list of charge points: give their ids)')
    .addOption(new Option('--format <format>', 'html (one self-contained file), pdf (printed by Chromium), md (for a ticket) or json (default: html; json with --json)').choices(REPORT_FORMATS))
    .option('-o, --out <file>', 'write it to this file (mode 0600) instead of standard output')
    .action(
      action(() => import('./commands/report/report.js'), (args, o) => ({
        chargePointIds: (args[0] as unknown as string[] | undefined) ?? [],
        site: o['site'] === true,
        format: o['format'] as ReportFormat | undefined,
        out: o['out'] as string | undefined,
      })),
    );

  const local = program.command('local').description('the local server for offline sites');
  local
    .command('up')
    .description('run the local server (OCPP for charge points, the installer API for the CLI)')
    .option('--port <port>', 'installer API port', port, 8180)
    .option('--ocpp-port <port>', 'OCPP WebSocket port for charge points', port, 9000)
    .option('--api-host <address>', 'address of the installer API (127.0.0.1 keeps it to this laptop)', '127.0.0.1')
    .option('--open', 'accept any charge point without a password (only on a network you trust)')
    .option('--heartbeat-interval <seconds>', 'heartbeat interval given to charge points at boot', positiveInt('heartbeat interval'), 300)
    .option('--pending-until-configured', "answer a new charge point's boot with Pending, configure it with its template, then accept it")
    .option('--sync-to <url>', 'keep sending issues, logs and sessions to this hosted API whenever it answers', httpUrl)
    .option('--tls-cert <file>', 'certificate (PEM) for wss:// on the OCPP port: security profile 2')
    .option('--tls-key <file>', 'its private key (PEM)')
    .action(
      action(() => import('./commands/local/up.js'), (_a, o) => ({
        port: o['port'] as number,
        ocppPort: o['ocppPort'] as number,
        apiHost: o['apiHost'] as string,
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
    .option('--to <url>', 'hosted API to send to (default: the one you logged in to)', httpUrl)
    .option('--max-wait <seconds>', 'keep retrying an unreachable API this long', positiveInt('max wait'), 600)
    .option('--log-batch <lines>', 'log lines per request (smaller on a poor link)', positiveInt('log batch'), 2000)
    .action(
      action(() => import('./commands/sync/sync.js'), (_a, o) => ({
        status: o['status'] === true,
        retryParked: o['retryParked'] === true,
        to: o['to'] as string | undefined,
        maxWaitS: o['maxWait'] as number,
        logBatch: o['logBatch'] as number,
      })),
    );

  program
    .command('sim')
    .description('run simulated charge points against an OCPP server until interrupted')
    .addOption(new Option('--ocpp <version>', 'OCPP version the charge points speak').choices(['1.6', '2.0.1']).default('1.6'))
    .option('--url <url>', 'Central System URL without the id (default: the local server)', wsUrl)
    .option('--id <id>', 'charge point id; with --count, the prefix', 'CP-SIM')
    .option('--count <n>', 'how many charge points', positiveInt('count'), 1)
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
    .option('--drop-after <seconds>', 'fault: drop the connection after this long', positiveNumber('drop after'))
    .option('--return-after <seconds>', 'fault: come back this long after a drop', positiveNumber('return after'))
    .option('--slow <ms>', 'fault: delay every answer', positiveNumber('slow'))
    .option('--invalid-payloads', 'fault: send schema-invalid answers and notifications')
    .option('--no-heartbeats', 'fault: never send a Heartbeat')
    .option('--wrong-password', 'fault: present a wrong password')
    .option('--silent-reconnect', 'fault: reconnect without a BootNotification')
    .option('--zero-energy', 'fault: the meter does not advance')
    .addOption(new Option('--firmware-failure <stage>', 'fault: a firmware update fails there (signature: 2.0.1; old-version: it reboots into the old one)').choices([...FIRMWARE_FAILURES]))
    .option('--diagnostics-failure', 'fault: the diagnostics (log) upload fails')
    .option('--firmware-drop-at <bytes>', 'fault: the firmware download breaks off after this many bytes, then resumes', positiveInt('firmware-drop-at'))
    .action(action(() => import('./commands/sim/sim.js'), (_a, o) => o as SimFlags));

  program
    .command('demo')
    .description('a local server, a simulated charge point and a full commissioning, shown live')
    .addOption(new Option('--ocpp <version>', 'OCPP version the simulated charge point speaks').choices(['1.6', '2.0.1']).default('1.6'))
    .option('--keep', 'keep the temporary data directory')
    .action(action(() => import('./commands/demo/demo.js'), (_a, o) => ({ keep: o['keep'] === true, ocpp: o['ocpp'] as '1.6' | '2.0.1' })));

  program
    .command('completion')
    .description('print a shell completion script (charge point and template ids come from the local server while it runs)')
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(['bash', 'zsh', 'fish']))
    .action(action(() => import('./commands/completion/completion.js'), ([shell]) => ({ shell: shell as 'bash' | 'zsh' | 'fish' })));
  // What the completion scripts call for ids: fast, and never ink (startup.test.ts).
  program
    .command('__complete <kind>', { hidden: true })
    .description('ids for shell completion, one a line')
    .action(action(() => import('./commands/completion/complete.js'), ([kind]) => ({ kind: kind! })));

  for (const { path, command } of walkCommands(program)) {
    const lines = EXAMPLES[path];
    if (lines) command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
  }
  return program;
}
