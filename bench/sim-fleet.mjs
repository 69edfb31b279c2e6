// Simulated charge points for the scale benchmark, in their own process: argv url, password,
// first index, count, OCPP version (1.6 by default, or 2.0.1). Once every one has booted or
// failed to, prints {"booted": n, "failed": n, "reason": the first failure's}; runs until SIGTERM.
import { createStation } from '../dist/sim/create.js';
import { fleetId } from './lib.mjs';

const [url, password, first, count, ocpp = '1.6'] = process.argv.slice(2);
const sims = [];
for (let i = Number(first); i < Number(first) + Number(count); i += 1) {
  sims.push(
    await createStation({
      ocpp,
      url,
      id: fleetId(i),
      password,
      connectors: 1,
      callTimeoutMs: 60_000,
      reconnect: { minDelayMs: 1000, maxDelayMs: 5000 },
    }),
  );
}
const results = await Promise.allSettled(sims.map((s) => s.start()));
const failed = results.filter((r) => r.status === 'rejected');
process.stdout.write(`${JSON.stringify({ booted: results.length - failed.length, failed: failed.length, reason: failed[0]?.reason?.message })}\n`);
process.on('SIGTERM', () => {
  for (const s of sims) s.stop();
  setTimeout(() => process.exit(0), 200);
});
setInterval(() => undefined, 1 << 30);
