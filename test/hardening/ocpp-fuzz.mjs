// OCPP fuzzing (npm run fuzz; a short run is in npm test). Two phases against `dynamo local up`.
// Frames: mutated 1.6 and 2.0.1 frames from raw WebSocket clients (half of them each): wrong types, missing and extra fields,
// huge strings, deep nesting, invalid UTF-8, binary and oversized frames, floods of CALLs without
// waiting. Checks that every CALL with a readable id gets exactly one spec-conforming CALLRESULT or
// CALLERROR, with a code of the connection's own version, that the server neither crashes nor reports an unhandled rejection, that its memory
// stays bounded, and that well-behaved charge points beside it keep being served (a full session
// on one of them passes during the fuzzing).
// Upgrades: a flood of unauthenticated connection attempts (random ids, wrong and garbage
// credentials, wrong subprotocols, half-open sockets) while a charger that was never verified
// connects and the installer logs in: both must get through, and unknown ids cost no scrypt.
import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { spawnSync } from 'node:child_process';
import { BIN, loggedInClient, startLocalUp, stop, tempDir } from '../../bench/lib.mjs';
import { CLIENT_OPTIONS, entry, random } from './lib.mjs';

const now = () => new Date().toISOString();

/**
 * What the fuzzer needs of each version: its subprotocol, a corpus of valid CALLs to mutate, the
 * CALLERROR codes a reply may carry, and its frames for the cases that need a real PDU.
 */
const DIALECTS = {
  '1.6': {
    protocol: 'ocpp1.6',
    codes: new Set(['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormationViolation', 'PropertyConstraintViolation', 'OccurenceConstraintViolation', 'TypeConstraintViolation', 'GenericError']),
    // OCPP-J 1.6 §4.1.3: an unknown message type is ignored.
    answersUnknownTypes: false,
    corpus: [
      ['BootNotification', { chargePointVendor: 'Fuzz', chargePointModel: 'F1', firmwareVersion: '1.0' }],
      ['Heartbeat', {}],
      ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Available', timestamp: now() }],
      ['Authorize', { idTag: 'TAG-1' }],
      ['StartTransaction', { connectorId: 1, idTag: 'TAG-1', meterStart: 100, timestamp: now() }],
      ['StopTransaction', { transactionId: 1, meterStop: 200, timestamp: now(), reason: 'Local' }],
      ['MeterValues', { connectorId: 1, transactionId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: '100', measurand: 'Energy.Active.Import.Register', unit: 'Wh' }] }] }],
      ['DataTransfer', { vendorId: 'fuzz', messageId: 'm', data: 'd' }],
      ['DiagnosticsStatusNotification', { status: 'Idle' }],
      ['FirmwareStatusNotification', { status: 'Idle' }],
    ],
    csmsOnly: 'GetConfiguration',
    newConnector: (n) => ({ connectorId: n, errorCode: 'NoError', status: 'Available' }),
    hostileBoot: { chargePointVendor: 'V\u009b2J\u202e', chargePointModel: 'M\u2066x' },
  },
  '2.0.1': {
    protocol: 'ocpp2.0.1',
    codes: new Set(['NotImplemented', 'NotSupported', 'InternalError', 'ProtocolError', 'SecurityError', 'FormatViolation', 'PropertyConstraintViolation', 'OccurrenceConstraintViolation', 'TypeConstraintViolation', 'GenericError', 'RpcFrameworkError', 'MessageTypeNotSupported']),
    // Part 4 §4.4: answered MessageTypeNotSupported.
    answersUnknownTypes: true,
    corpus: [
      ['BootNotification', { reason: 'PowerUp', chargingStation: { vendorName: 'Fuzz', model: 'F1', firmwareVersion: '1.0' } }],
      ['Heartbeat', {}],
      ['StatusNotification', { timestamp: now(), connectorStatus: 'Available', evseId: 1, connectorId: 1 }],
      ['Authorize', { idToken: { idToken: 'TAG-1', type: 'ISO14443' } }],
      ['TransactionEvent', { eventType: 'Started', timestamp: now(), triggerReason: 'Authorized', seqNo: 0, transactionInfo: { transactionId: 'tx-1' }, evse: { id: 1, connectorId: 1 }, idToken: { idToken: 'TAG-1', type: 'ISO14443' } }],
      ['TransactionEvent', { eventType: 'Ended', timestamp: now(), triggerReason: 'StopAuthorized', seqNo: 1, transactionInfo: { transactionId: 'tx-1', stoppedReason: 'Local' }, meterValue: [{ timestamp: now(), sampledValue: [{ value: 200, measurand: 'Energy.Active.Import.Register' }] }] }],
      ['MeterValues', { evseId: 1, meterValue: [{ timestamp: now(), sampledValue: [{ value: 100 }] }] }],
      ['NotifyReport', { requestId: 1, generatedAt: now(), seqNo: 0, tbc: false, reportData: [{ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' }, variableAttribute: [{ value: '300' }] }] }],
      ['NotifyEvent', { generatedAt: now(), seqNo: 0, eventData: [{ eventId: 1, timestamp: now(), trigger: 'Alerting', actualValue: 'x', eventNotificationType: 'HardWiredNotification', component: { name: 'EVSE', evse: { id: 1 } }, variable: { name: 'Problem' } }] }],
      ['SecurityEventNotification', { type: 'StartupOfTheDevice', timestamp: now() }],
      ['FirmwareStatusNotification', { status: 'Idle' }],
      ['LogStatusNotification', { status: 'Idle' }],
      ['DataTransfer', { vendorId: 'fuzz', messageId: 'm', data: 'd' }],
    ],
    csmsOnly: 'GetVariables',
    newConnector: (n) => ({ timestamp: now(), connectorStatus: 'Available', evseId: n, connectorId: 1 }),
    hostileBoot: { reason: 'PowerUp', chargingStation: { vendorName: 'V\u009b2J\u202e', model: 'M\u2066x' } },
  },
};

// Terminal escapes among them: what a charger sends must reach no terminal raw.
const odd = (r) => r.pick([null, true, false, 0, -1, 1.5, 2 ** 53, '', 'x', 'é€😀', '\u001b]0;owned\u0007', '\u001b[2J\nfake line', '\u009b31m', '\u202eevil', [], [1, 'a'], {}, { nested: { deeper: [1] } }]);
const huge = (n) => 'A'.repeat(n);

/** One mutated frame of dialect `d`: its text or bytes, whether it is binary, and whether a reply is owed to `id`. */
function mutate(r, d) {
  const [action, base] = r.pick(d.corpus);
  const id = randomUUID();
  const payload = structuredClone(base);
  const keys = Object.keys(payload);
  const call = (p, a = action, i = id) => ({ text: JSON.stringify([2, i, a, p]), id: i, owed: true });
  switch (r.int(17)) {
    case 0:
      return call(payload);
    case 1:
      if (keys.length) delete payload[r.pick(keys)];
      return call(payload);
    case 2:
      payload[`extra${r.int(100)}`] = odd(r);
      return call(payload);
    case 3:
      if (keys.length) payload[r.pick(keys)] = odd(r);
      return call(payload);
    case 4:
      if (keys.length) payload[r.pick(keys)] = huge(r.pick([100, 5000, 200_000]));
      return call(payload);
    case 5: {
      // Built as text: JSON.stringify itself cannot nest this deep.
      const depth = r.pick([100, 10_000, 200_000]);
      const text = JSON.stringify([2, id, action, { ...payload, deep: '__DEEP__' }]).replace('"__DEEP__"', `${'['.repeat(depth)}1${']'.repeat(depth)}`);
      return { text, id, owed: true };
    }
    case 6:
      return call(payload, r.pick(['MakeCoffee', '', d.csmsOnly, 'heartbeat', 'Heartbeat ', 'A'.repeat(500)]));
    case 7: {
      const type = r.pick([0, 1, 5, 9, -1, 2.5, '2', null]);
      return { text: JSON.stringify([type, id, action, payload]), id, owed: d.answersUnknownTypes && typeof type === 'number' };
    }
    case 8: {
      const shapes = [[], [2], [2, id], [2, id, action], [2, id, action, payload, 'extra'], { 2: id }, [3, id], [4, id, 'X']];
      const shape = r.pick(shapes);
      // A CALL whose id is readable but whose shape is wrong is still owed an answer.
      return { text: JSON.stringify(shape), id, owed: Array.isArray(shape) && shape[0] === 2 && shape.length >= 2 };
    }
    case 9:
      return { text: r.pick(['', 'not json', '{', '[2,', '"a string"', '42', 'null', '[2,"x","Heartbeat",{}]]']), owed: false };
    case 10:
      return { bytes: Buffer.from([0x5b, 0x32, 0x2c, 0xff, 0xfe, 0xfd, 0x5d]), binary: false, owed: false, closes: true };
    case 11:
      return { bytes: Buffer.from(JSON.stringify([2, id, action, payload])), binary: true, id, owed: true };
    case 12:
      return { text: JSON.stringify([2, id, 'DataTransfer', { vendorId: 'v', data: huge(1_100_000) }]), owed: false, closes: true };
    case 13:
      return { text: JSON.stringify([r.pick([3, 4]), randomUUID(), ...(r.int(2) ? [{}] : ['GenericError', 'x', {}])]), owed: false };
    case 14:
      return call(payload, action, r.pick(['', 'x'.repeat(37), 42, null]));
    case 15:
      // A new connector id every time: the server must not keep them all.
      return call(d.newConnector(r.int(2 ** 31 - 1)), 'StatusNotification');
    default:
      return { flood: r.pick([100, 500, 2000]), owed: true };
  }
}

/** A CALLRESULT, or a CALLERROR with a code of the connection's own version. */
function conformant(reply, d, expectedId) {
  if (!Array.isArray(reply)) return false;
  if (expectedId !== undefined && reply[1] !== expectedId) return false;
  if (reply[0] === 3) return reply.length === 3 && typeof reply[2] === 'object' && reply[2] !== null;
  if (reply[0] === 4) return reply.length === 5 && d.codes.has(reply[2]) && typeof reply[3] === 'string';
  return false;
}

class FuzzConnection {
  constructor(url, name, stats, dialect) {
    this.url = url;
    this.name = name;
    this.stats = stats;
    this.dialect = dialect;
    this.waiting = new Map();
  }

  async open() {
    this.ws = new WebSocket(`${this.url}/${this.name}`, [this.dialect.protocol], { maxPayload: 64 * 1024 * 1024 });
    this.closed = new Promise((resolve) => this.ws.once('close', (code) => resolve(code)));
    this.ws.on('error', () => undefined);
    this.ws.on('message', (data) => {
      let reply;
      try {
        reply = JSON.parse(data.toString());
      } catch {
        this.stats.violations.push(`non-JSON reply: ${data.toString().slice(0, 80)}`);
        return;
      }
      // The Central System's own CALLs (a session runs on FUZZ-1) go unanswered, as broken firmware's would.
      if (Array.isArray(reply) && reply[0] === 2) return;
      const waiter = this.waiting.get(reply[1]);
      if (waiter) {
        this.waiting.delete(reply[1]);
        waiter(reply);
      } else if (!(conformant(reply, this.dialect) && reply[0] === 4 && reply[1] === '-1')) {
        // Unasked-for replies may only be CALLERRORs to the unreadable id "-1".
        this.stats.violations.push(`unexpected reply ${JSON.stringify(reply).slice(0, 120)}`);
      }
    });
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
  }

  expect(id) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        resolve(null);
      }, 5000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
    });
  }

  async send(frame) {
    if (frame.flood) return this.flood(frame.flood);
    // FUZZ-1 and FUZZ-2 carry sessions: they keep their connections so that the sessions keep logging.
    if (frame.closes && SESSION_FUZZERS.includes(this.name)) return this.flood(10);
    const reply = frame.owed && typeof frame.id === 'string' && frame.id.length > 0 && frame.id.length <= 36 ? this.expect(frame.id) : null;
    this.ws.send(frame.bytes ?? frame.text, { binary: frame.binary ?? false });
    this.stats.frames += 1;
    if (frame.closes) {
      const code = await Promise.race([this.closed, new Promise((r) => setTimeout(() => r(null), 5000))]);
      this.stats.closes[code] = (this.stats.closes[code] ?? 0) + 1;
      await this.open();
      return;
    }
    if (reply) {
      const answer = await reply;
      this.stats.owed += 1;
      if (!answer) this.stats.violations.push(`no answer to ${frame.text?.slice(0, 100) ?? 'a binary CALL'}`);
      else if (!conformant(answer, this.dialect, frame.id)) this.stats.violations.push(`${this.dialect.protocol}: non-conforming answer ${JSON.stringify(answer).slice(0, 120)}`);
      else this.stats.answered += 1;
    }
  }

  /** Many CALLs without waiting, as a broken charge point might: every one is still answered. */
  async flood(n) {
    const ids = Array.from({ length: n }, () => randomUUID());
    const replies = ids.map((id) => this.expect(id));
    for (const id of ids) this.ws.send(JSON.stringify([2, id, 'Heartbeat', {}]));
    this.stats.frames += n;
    const answers = await Promise.all(replies);
    this.stats.owed += n;
    const missing = answers.filter((a) => !a).length;
    if (missing > 0) this.stats.violations.push(`flood of ${n}: ${missing} CALLs unanswered`);
    this.stats.answered += n - missing;
  }
}

export async function main({ seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9) } = {}) {
  const framesReport = await fuzzFrames({ seed });
  const upgrades = await floodUpgrades({ seed });
  return { ...framesReport, ok: framesReport.ok && upgrades.ok, upgrade_flood: upgrades };
}

/** One upgrade attempt as raw as a hostile device makes it; resolves with the HTTP status or 'dropped'. */
function attempt(url, id, { auth, protocol = 'ocpp1.6' } = {}) {
  return new Promise((resolve) => {
    const headers = auth === undefined ? {} : { Authorization: auth };
    const ws = new WebSocket(`${url}/${encodeURIComponent(id)}`, [protocol], { headers, handshakeTimeout: 90_000 });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(101);
      ws.terminate();
    });
    ws.on('error', () => resolve('dropped'));
  });
}

const basic = (id, password) => `Basic ${Buffer.from(`${id}:${password}`).toString('base64')}`;

export async function floodUpgrades({ attempts = Number(process.env.FUZZ_UPGRADES ?? 3000), seed }) {
  const dataDir = tempDir();
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0']);
  const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
  const { SimulatedChargePoint } = await import('../../dist/sim/simulator.js');
  const r = random(seed + 7);
  const good = await client.addLocalChargePoint({ id: 'GOOD-1' });
  const fresh = await client.addLocalChargePoint({ id: 'FRESH-1' });
  const neighbour = new SimulatedChargePoint({ url: server.ocppUrl, id: 'GOOD-1', password: good.password, reconnect: { minDelayMs: 100, maxDelayMs: 1000 } });
  const neighbourFailures = [];
  neighbour.on('log', (line) => line.includes('failed') && neighbourFailures.push(line));
  await neighbour.start();
  const port = Number(new URL(server.ocppUrl).port);
  const byStatus = {};
  const halfOpen = [];
  const started = Date.now();
  const kinds = [
    () => attempt(server.ocppUrl, `CP-${randomBytes(5).toString('hex')}`, { auth: basic('someone-else', 'y') }),
    () => {
      const id = `CP-${randomBytes(5).toString('hex')}`;
      return attempt(server.ocppUrl, id, { auth: basic(id, randomBytes(12).toString('hex')) });
    },
    () => attempt(server.ocppUrl, 'GOOD-1', { auth: basic('GOOD-1', randomBytes(12).toString('hex')) }),
    () => attempt(server.ocppUrl, 'GOOD-1'),
    () => attempt(server.ocppUrl, 'GOOD-1', { auth: r.pick(['Basic', 'Basic !!!', 'Bearer x', `Basic ${'A'.repeat(5000)}`]) }),
    () => attempt(server.ocppUrl, 'GOOD-1', { auth: basic('GOOD-1', good.password), protocol: r.pick(['ocpp1.5', 'ocpp2.0', 'chat']) }),
    () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      // Read, so that the server's close is seen; null when it never comes (the server kept it).
      socket.resume();
      const opened = Date.now();
      halfOpen.push(
        new Promise((resolve) => {
          const kept = setTimeout(() => {
            socket.destroy();
            resolve(null);
          }, 30_000);
          socket.once('close', () => {
            clearTimeout(kept);
            resolve(Date.now() - opened);
          });
        }),
      );
      return Promise.resolve('half-open');
    },
  ];
  let freshConnected = false;
  let loginOk = false;
  let loginMs = null;
  try {
    let sent = 0;
    const worker = async () => {
      while (sent < attempts) {
        sent += 1;
        // Half-way, while the flood goes on, the installer logs in and a new charger connects.
        if (sent === Math.floor(attempts / 2)) {
          const t0 = Date.now();
          void client.login(...Object.values(JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8')))).then(() => {
            loginOk = true;
            loginMs = Date.now() - t0;
          });
          const sim = new SimulatedChargePoint({ url: server.ocppUrl, id: 'FRESH-1', password: fresh.password, reconnect: { minDelayMs: 200, maxDelayMs: 2000 } });
          sim.on('booted', () => {
            freshConnected = true;
            sim.stop();
          });
          sim.connect().catch(() => undefined);
        }
        const status = await r.pick(kinds)();
        byStatus[status] = (byStatus[status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 100 }, worker));
    const closedAt = await Promise.all(halfOpen); // how long each lived, in ms
    for (let i = 0; i < 100 && !(freshConnected && loginOk); i += 1) await new Promise((res) => setTimeout(res, 100));
    const health = await client.health();
    const crashed = server.child.exitCode !== null;
    const unhandled = /unhandled|uncaught/i.test(server.stderr());
    return {
      ok: !crashed && !unhandled && freshConnected && loginOk && neighbourFailures.length === 0 && neighbour.isBooted && closedAt.every((t) => t !== null),
      attempts,
      by_status: byStatus,
      half_open_sockets: halfOpen.length,
      half_open_not_closed_by_the_server: closedAt.filter((t) => t === null).length,
      half_open_longest_s: halfOpen.length ? Math.max(...closedAt.filter((t) => t !== null)) / 1000 : 0,
      password_checks: health.ocpp?.password_checks,
      refused: health.ocpp?.refused,
      fresh_charger_connected: freshConnected,
      installer_login_ms: loginMs,
      neighbour_failed_calls: neighbourFailures.slice(0, 5),
      server_crashed: crashed,
      unhandled_rejection: unhandled,
      server_rss_mb: health.rss_mb,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    neighbour.stop();
    await client.close();
    await stop(server.child);
  }
}

/** The fuzzers that carry a commissioning session throughout, one per version. */
const SESSION_FUZZERS = ['FUZZ-1', 'FUZZ-2'];
/** Well-behaved charge points beside the fuzzers, one per version: each runs a session half-way. */
const NEIGHBOURS = [
  ['GOOD-1', '1.6'],
  ['GOOD-2', '2.0.1'],
];

/** Polls a charge point's session until it has ended (or a minute has passed). */
async function ended(client, id) {
  let status;
  for (let i = 0; i < 120; i += 1) {
    status = await client.status(id);
    if (status.status !== 'running') break;
    await new Promise((res) => setTimeout(res, 500));
  }
  return status;
}

export async function fuzzFrames({ frames = Number(process.env.FUZZ_FRAMES ?? 100_000), connections = 4, seed }) {
  const dataDir = tempDir();
  const server = await startLocalUp(dataDir, ['--open', '--port', '0', '--ocpp-port', '0', '--heartbeat-interval', '1']);
  const r = random(seed);
  const stats = { seed, frames: 0, owed: 0, answered: 0, closes: {}, violations: [] };
  const { createStation } = await import('../../dist/sim/create.js');
  const neighbours = await Promise.all(NEIGHBOURS.map(([id, ocpp]) => createStation({ ocpp, url: server.ocppUrl, id, reconnect: { minDelayMs: 100, maxDelayMs: 1000 } })));
  const failedHeartbeats = [];
  for (const n of neighbours) n.on('log', (line) => line.includes('failed') && failedHeartbeats.push(`${n.id}: ${line}`));
  await Promise.all(neighbours.map((n) => n.start()));
  const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
  const memory = [];
  const started = Date.now();
  let neighbourSessions = null;
  const startNeighbourSessions = () => Promise.all(NEIGHBOURS.map(([id]) => client.start(id, { skip_test_transaction: true })));
  try {
    // Odd fuzzers speak 1.6, even ones 2.0.1.
    const fuzzers = await Promise.all(
      Array.from({ length: connections }, async (_, i) => {
        const c = new FuzzConnection(server.ocppUrl, `FUZZ-${i + 1}`, stats, DIALECTS[i % 2 === 0 ? '1.6' : '2.0.1']);
        await c.open();
        return c;
      }),
    );
    // A session runs on a fuzzer of each version throughout: what it sends is logged, within the budget.
    const fuzzedSessions = await Promise.all(SESSION_FUZZERS.map((id) => client.start(id, { skip_test_transaction: true })));
    // Every kind of terminal control, once for sure: raw in a frame that is not JSON, and C1 and
    // bidi controls inside JSON strings (which JSON does not escape).
    for (const c of fuzzers.slice(0, 2)) {
      await c.send({ text: 'not json \u001b]0;owned\u0007 \u001b[2J\r\u009b31m \u202eevil', owed: false });
      const bootId = randomUUID();
      await c.send({ text: JSON.stringify([2, bootId, 'BootNotification', c.dialect.hostileBoot]), id: bootId, owed: true });
    }
    let sampled = 0;
    await Promise.all(
      fuzzers.map(async (c) => {
        const own = random(seed + c.name.length + Number(c.name.slice(5)));
        while (stats.frames < frames) {
          // Half-way through, a full commissioning starts on each neighbour: they must pass.
          if (!neighbourSessions && stats.frames >= frames / 2) neighbourSessions = startNeighbourSessions();
          await c.send(mutate(own, c.dialect));
          if (stats.frames - sampled > 5000) {
            sampled = stats.frames;
            memory.push((await client.health()).rss_mb);
          }
        }
      }),
    );
    for (const c of fuzzers) c.ws.close();
    await (neighbourSessions ?? startNeighbourSessions());
    // The neighbours were served throughout: a session on each of them passes.
    const neighbourStatus = await Promise.all(NEIGHBOURS.map(([id]) => ended(client, id)));
    const fuzzedLogs = await Promise.all(SESSION_FUZZERS.map((id, i) => client.logs(id, { session_id: fuzzedSessions[i].session_id, limit: 1 })));
    // What the fuzzers sent, as an installer reads it: the sessions' frames and the charge points'
    // diagnostics, in plain lines, must hold no raw control character.
    const plain = SESSION_FUZZERS.flatMap((id) => [`logs ${id} --level debug`, `logs ${id} --level warn`, `diagnostics ${id}`, `status ${id}`])
      .map((args) => spawnSync(process.execPath, [BIN, '--local', ...args.split(' ')], { env: { ...process.env, DYNAMO_DATA_DIR: dataDir, DYNAMO_CONFIG_DIR: tempDir() }, encoding: 'utf8' }).stdout)
      .join('\n');
    const rawControls = (plain.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g) ?? []).length;
    const { DEFAULT_LOG_BUDGET: budget } = await import('../../dist/server/engine/log-budget.js');
    // The budget, and the engine's own lines of one session besides.
    const withinBudget = fuzzedLogs.every((l) => l.total <= budget.framesPerSession + budget.problemsPerSession + 500);
    const health = await client.health();
    const crashed = server.child.exitCode !== null;
    const unhandled = /unhandled|uncaught/i.test(server.stderr());
    const neighboursPassed = neighbourStatus.every((st) => st?.result === 'passed');
    const report = {
      ok: stats.violations.length === 0 && !crashed && !unhandled && neighboursPassed && failedHeartbeats.length === 0 && withinBudget && rawControls === 0,
      seed,
      frames_sent: stats.frames,
      calls_owed_an_answer: stats.owed,
      answered_conforming: stats.answered,
      connections_closed_by_server: stats.closes,
      violations: stats.violations.slice(0, 20),
      violation_count: stats.violations.length,
      server_crashed: crashed,
      unhandled_rejection: unhandled,
      neighbour_sessions: Object.fromEntries(NEIGHBOURS.map(([id, ocpp], i) => [`${id} (${ocpp})`, neighbourStatus[i] ? `${neighbourStatus[i].status} ${neighbourStatus[i].result}` : 'none'])),
      neighbour_failed_calls: failedHeartbeats.slice(0, 5),
      fuzzed_session_log_lines: Object.fromEntries(SESSION_FUZZERS.map((id, i) => [id, fuzzedLogs[i].total])),
      fuzzed_sessions: Object.fromEntries(
        await Promise.all(SESSION_FUZZERS.map(async (id) => [id, await client.status(id).then((st) => `${st.status} ${st.result ?? ''} ${st.failure_reason ?? st.steps.find((x) => x.status === 'failed')?.detail ?? ''}`.trim())])),
      ),
      fuzzed_sessions_within_log_budget: withinBudget,
      raw_control_characters_in_plain_output: rawControls,
      server_rss_mb: { samples: memory, end: health.rss_mb },
      seconds: (Date.now() - started) / 1000,
    };
    return report;
  } finally {
    for (const n of neighbours) n.stop();
    await client.close();
    await stop(server.child);
  }
}

await entry(import.meta.url, main);
