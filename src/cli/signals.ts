/**
 * Resolves on the first Ctrl-C or SIGTERM, for commands that run until told to stop. Holds the
 * event loop open meanwhile: signal listeners alone do not, and a quiet moment (a simulator
 * waiting to reconnect on an unref'd timer) must not end the process.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30);
    const stop = (): void => {
      clearInterval(keepAlive);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
