// Load generator for the throughput benchmark, in its own process: argv url, mode, connections,
// seconds, hold (yes/no), OCPP version (1.6, 2.0.1). N connections each send Heartbeat CALLs back
// to back (one in flight, as OCPP requires) for D seconds and time each answer. In "ocpp" mode
// each connection first boots and, if asked, answers the server's remote start by starting a
// transaction, so it is inside a commissioning session (whose frames are all logged) while it
// sends. In "echo" mode the same frames go to an echo server.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { dialect } from './ocpp-dialects.mjs';

const [url, mode, connections = '50', seconds = '10', holdSessions = 'no', version = '1.6'] = process.argv.slice(2);
const protocol = dialect(version);
const N = Number(connections);
const D = Number(seconds) * 1000;
const now = () => Number(process.hrtime.bigint()) / 1e6;
const ids = Array.from({ length: N }, (_, i) => `BENCH-${String(i + 1).padStart(4, '0')}`);
/** The server's CALLs by action, and the CALLERRORs it sent: a frame it found invalid shows here. */
const serverCalls = {};
let callErrors = 0;

function open(id) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url}/${id}`, [protocol.subprotocol]);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** The answer's payload; a CALLERROR to setup means the benchmark would measure nothing, so it ends the run. */
function resultOf(action, frame) {
  if (frame[0] !== 3) throw new Error(`${version} ${action} was answered ${JSON.stringify(frame)}`);
  return frame[2];
}

/** One connection: its own pending-call table, answering the server's calls on the side. */
function conversation(ws, id) {
  const pending = new Map();
  let started = null;
  const startedPromise = new Promise((r) => (started = r));
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString());
    if (mode === 'echo' || frame[0] === 3 || frame[0] === 4) {
      if (frame[0] === 4) callErrors += 1;
      const waiter = pending.get(frame[1]);
      if (waiter) {
        pending.delete(frame[1]);
        waiter(frame);
      }
      return;
    }
    const [, callId, action, request] = frame;
    serverCalls[action] = (serverCalls[action] ?? 0) + 1;
    const { response, start } = protocol.answer(action, request);
    ws.send(JSON.stringify([3, callId, response]));
    if (start) {
      call(...start).then((answer) => {
        resultOf(start[0], answer);
        started();
      });
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
  const boots = await Promise.all(convs.map((c) => c.call('BootNotification', protocol.boot)));
  const refused = boots.map((b) => resultOf('BootNotification', b)).find((r) => r.status !== 'Accepted');
  if (refused) throw new Error(`${version} BootNotification answered ${JSON.stringify(refused)}`);
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
const result = { messages: rtts.length, seconds: elapsed, per_second: rtts.length / elapsed, p50_ms: pct(50), p99_ms: pct(99), call_errors: callErrors, server_calls: serverCalls };
process.stdout.write(`${JSON.stringify(result)}\n`);
for (const c of convs) c.ws.close();
setTimeout(() => process.exit(0), 200);
