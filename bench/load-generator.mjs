// Load generator for the throughput benchmark, in its own process. N connections each send
// Heartbeat CALLs back to back (one in flight, as OCPP requires) for D seconds and time each
// answer. In "ocpp" mode each connection first boots and, if asked, answers the server's
// RemoteStartTransaction with a StartTransaction, so it is inside a commissioning session (whose
// frames are all logged) while it sends. In "echo" mode the same frames go to an echo server.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

const [url, mode, connections = '50', seconds = '10', holdSessions = 'no'] = process.argv.slice(2);
const N = Number(connections);
const D = Number(seconds) * 1000;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const ids = Array.from({ length: N }, (_, i) => `BENCH-${String(i + 1).padStart(4, '0')}`);

function open(id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${id}`, ['ocpp1.6']);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One connection: its own pending-call table, answering the server's calls on the side. */
function conversation(ws, id) {
  const pending = new Map();
  let started = null;
  const startedPromise = new Promise((r) => (started = r));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (mode === 'echo' || frame[0] === 3 || frame[0] === 4) {
      const waiter = pending.get(frame[1]);
      if (waiter) {
        pending.delete(frame[1]);
        waiter(frame);
      }
      return;
    }
    // A CALL from the Central System.
    const [, callId, action] = frame;
    if (action === 'RemoteStartTransaction') {
      ws.send(JSON.stringify([3, callId, { status: 'Accepted' }]));
      call('StartTransaction', { connectorId: 1, idTag: frame[3].idTag, meterStart: 0, timestamp: new Date().toISOString() }).then(() => started());
    } else if (action === 'GetConfiguration') {
      ws.send(JSON.stringify([3, callId, { configurationKey: [{ key: 'SupportedFeatureProfiles', readonly: true, value: 'Core' }] }]));
    } else {
      ws.send(JSON.stringify([3, callId, {}]));
    }
  });
  const call = (action, payload) =>
    new Promise((resolve) => {
      const callId = randomUUID();
      pending.set(callId, resolve);
      ws.send(JSON.stringify([2, callId, action, payload]));
    });
  return { ws, id, call, started: startedPromise };
}

const convs = [];
for (const id of ids) convs.push(conversation(await open(id), id));
if (mode === 'ocpp') {
  await Promise.all(convs.map((c) => c.call('BootNotification', { chargePointVendor: 'Bench', chargePointModel: 'Load' })));
}
process.stdout.write(`${JSON.stringify({ connected: N })}\n`);
if (holdSessions === 'yes') await Promise.all(convs.map((c) => c.started));

const rtts = [];
const deadline = now() + D;
const t0 = now();
await Promise.all(
  convs.map(async (c) => {
    while (now() < deadline) {
      const sent = now();
      await c.call('Heartbeat', {});
      rtts.push(now() - sent);
    }
  }),
);
const elapsed = (now() - t0) / 1000;
rtts.sort((a, b) => a - b);
const pct = (p) => rtts[Math.min(rtts.length - 1, Math.ceil((p / 100) * rtts.length) - 1)];
process.stdout.write(`${JSON.stringify({ messages: rtts.length, seconds: elapsed, per_second: rtts.length / elapsed, p50_ms: pct(50), p99_ms: pct(99) })}\n`);
for (const c of convs) c.ws.close();
setTimeout(() => process.exit(0), 200);
