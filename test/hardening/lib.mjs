// Shared by the hardening runs (fuzz, crash-test, soak), beside what they share with the
// benchmarks (bench/lib.mjs): a seeded random source and the entry point that prints the report.
// They run from the build (dist/), like the product.

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
