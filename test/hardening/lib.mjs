// Shared by the hardening runs (fuzz, crash-test, soak), beside what they share with the
// benchmarks (bench/lib.mjs): a seeded random source and the entry point that prints the report.
// They run from the build (dist/), like the product.
import { connect } from 'node:net';

/** A server under fuzzing or being killed can be slow to answer; the runs' API clients wait this long. */
export const CLIENT_OPTIONS = { timeoutMs: 60_000 };

/** mulberry32: small, fast, and the same sequence for the same seed (a failure can be replayed). */
export function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (xs) => xs[Math.floor(next() * xs.length)];
  return next;
}

/** Runs `main(options)` when the file is the entry point, printing its report as JSON. */
export async function entry(url, main) {
  if (url !== `file://${process.argv[1]}`) return;
  const report = await main();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(report.ok ? 0 : 1);
}

/**
 * @param {number} port
 * @param {(string | Buffer)[]} chunks
 * @param {{ gapMs?: number, abortAfter?: number, timeoutMs?: number, host?: string }} [options]
 * @returns {Promise<{ text: string, closed: boolean, status: number | null }>}
 *
 * Writes a request as raw bytes (chunked, trickled or cut off, as no well-behaved client would)
 * to an HTTP port and collects the answer until the server closes the socket or `timeoutMs`
 * pass. `abortAfter` drops the socket before that chunk; `gapMs` waits between chunks.
 */
export function rawHttp(port, chunks, { gapMs = 0, abortAfter, timeoutMs = 8000, host = '127.0.0.1' } = {}) {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    let text = '';
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ text, closed, status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) || null });
    };
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const timer = setTimeout(() => finish(false), timeoutMs);
    void (async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (done) return;
        if (abortAfter !== undefined && i >= abortAfter) return finish(true);
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}
