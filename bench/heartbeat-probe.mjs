// A charge point in its own process that sends Heartbeats back to back (5 ms apart) and times
// each answer: how a benchmark sees whether the server is held up. argv: OCPP URL. On each line
// read from stdin it prints the round trips (ms) since the previous line, as a JSON array.
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';

const ws = new WebSocket(`${process.argv[2]}/HB-PROBE`, ['ocpp1.6']);
await new Promise((resolve, reject) => {
  ws.once('open', resolve);
  ws.once('error', reject);
});
const waiting = new Map();
ws.on('message', (data) => waiting.get(JSON.parse(data.toString())[1])?.());
let samples = [];
createInterface({ input: process.stdin }).on('line', () => {
  process.stdout.write(`${JSON.stringify(samples)}\n`);
  samples = [];
});
process.stdin.on('end', () => process.exit(0));
process.stdout.write('[]\n');
for (;;) {
  const id = randomUUID();
  const t0 = performance.now();
  await new Promise((resolve) => {
    waiting.set(id, resolve);
    ws.send(JSON.stringify([2, id, 'Heartbeat', {}]));
  });
  waiting.delete(id);
  samples.push(performance.now() - t0);
  await new Promise((r) => setTimeout(r, 5));
}
