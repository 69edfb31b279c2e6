interface Confirm {
  busy: () => string[];
  say: (text: string) => void;
  windowMs?: number;
}

/**
 * Emitted by the entry point (bin/dynamo.js) when standard output's reader has gone (EPIPE: the
 * `tee` of `dynamo local up | tee site.log` died with the terminal's Ctrl-C). With no listener it
 * exits quietly, as Unix tools do; a command that runs until told to stop listens and stops
 * cleanly instead, so its sessions are failed with a reason and its store closed.
 */
export const STDOUT_GONE = 'dynamo:stdout-gone';

/** A stop asked for by Ctrl-C, SIGTERM or the loss of standard output; see `listenForStop`. */
export interface StopRequest {
  /** Resolves when a stop has been asked for, at once if it already was. */
  readonly asked: Promise<void>;
  /** Stops listening (the command is leaving another way); stop signals stay absorbed if one came. */
  cancel(): void;
}

/**
 * Listens from now on for the first Ctrl-C or SIGTERM (or the loss of standard output), for
 * commands that run until told to stop. Called before a server starts listening, so that a
 * Ctrl-C while it starts or prints its banner is a clean stop once it is up, not the default
 * disposition killing a server that chargers may already have reached. Holds the event loop open
 * meanwhile: signal listeners alone do not, and a quiet moment (a simulator waiting to reconnect on
 * an unref'd timer) must not end the process.
 *
 * With `confirm`, a Ctrl-C while `confirm.busy()` names something (sessions running) only says
 * so, and a second one within `windowMs` stops: a reflex Ctrl-C on a terminal must not fail an
 * installer's sessions. SIGTERM (a supervisor, `kill`) always stops at once.
 *
 * Once a stop is asked for, further Ctrl-Cs, SIGTERMs and SIGHUPs (the terminal closed) are
 * absorbed: an impatient third Ctrl-C would otherwise meet the default disposition and kill the
 * server half-way through failing its sessions and closing its store. SIGHUP is left alone before
 * then, so `nohup dynamo local up` keeps the ignoring it asked for. A supervisor that will not wait
 * sends SIGKILL, as it always can. They stay absorbed until the process exits: the command returns
 * straight to the entry point's `process.exit`, and node's own teardown takes milliseconds in which
 * the default disposition would turn a clean stop into a death by signal (exit 130).
 */
export function listenForStop(confirm?: Confirm): StopRequest {
  const keepAlive = setInterval(() => undefined, 1 << 30);
  let armedAt = -Infinity;
  let resolveAsked!: () => void;
  const asked = new Promise<void>((resolve) => (resolveAsked = resolve));
  const unlisten = (): void => {
    clearInterval(keepAlive);
    process.off('SIGINT', onInt);
    process.off('SIGTERM', stop);
    process.off(STDOUT_GONE, stop);
  };
  const stop = (): void => {
    // Absorbing first: between removing ours and adding these, the default would kill.
    for (const event of ABSORBING) if (process.listenerCount(event, absorb) === 0) process.on(event, absorb);
    unlisten();
    resolveAsked();
  };
  const onInt = (): void => {
    const windowMs = confirm?.windowMs ?? 5000;
    const busy = confirm?.busy() ?? [];
    if (busy.length === 0 || Date.now() - armedAt <= windowMs) return stop();
    armedAt = Date.now();
    confirm!.say(`${busy.join(', ')} still running: Ctrl-C again within ${Math.round(windowMs / 1000)} s stops the server and fails ${busy.length === 1 ? 'it' : 'them'}`);
  };
  process.on('SIGINT', onInt);
  process.on('SIGTERM', stop);
  process.on(STDOUT_GONE, stop);
  return { asked, cancel: unlisten };
}

/** Runs until a stop is asked for (`listenForStop`, from now on), then `shutdown`. */
export async function runUntilInterrupted<T>(shutdown: () => Promise<T> | T, confirm?: Confirm): Promise<T> {
  await listenForStop(confirm).asked;
  return shutdown();
}

const absorb = (): void => undefined;
const ABSORBING = ['SIGINT', 'SIGTERM', 'SIGHUP', STDOUT_GONE] as const;
