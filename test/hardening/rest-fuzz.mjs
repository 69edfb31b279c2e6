// REST fuzzing (part of npm run fuzz; a short run is in npm test): random methods, paths,
// queries, headers, bodies (sent whole, chunked, trickled, or cut off half-way) and tokens (missing, garbage, unsigned alg "none", another key,
// another audience or issuer, expired, scoped elsewhere, valid) against every route of the
// local server. Never a 5xx, never a crash, never access without a valid token.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, importJWK, SignJWT } from 'jose';
import { ROUTES } from '../../dist/api/routes.js';
import { loggedInClient, startLocalUp, stop, tempDir } from '../../bench/lib.mjs';
import { CLIENT_OPTIONS, entry, random, rawHttp } from './lib.mjs';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'];
const NASTY = ['CP-FUZZ', 'CP-NOPE', '%00', '..%2F..%2Fetc%2Fpasswd', '%E0%A4%A', 'x'.repeat(300), '%F0%9F%98%80', 'a%2Fb', ' ', '%20%20', '-', 'null', '{}'];

function randomJson(r, depth = 0) {
  switch (depth > 3 ? r.int(4) : r.int(7)) {
    case 0:
      return r.pick([null, true, false]);
    case 1:
      return r.pick([0, -1, 1e308, 3.14, 2 ** 31]);
    case 2:
      return r.pick(['', 'x', 'é€😀', 'a'.repeat(r.pick([5, 30, 5000])), 'https://example.com/p.jpg', 'ftp://x']);
    case 3:
      return r.pick(['hardware_defect', 'low', 'configuration', 'tpl_standard_ac_22kw', 'CP-FUZZ']);
    case 4:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const keys = ['category', 'description', 'severity', 'step', 'photo_urls', 'template_id', 'skip_test_transaction', 'email', 'password', 'id', 'logs', 'session_id', 'charge_point_id', 'status', 'steps', 'x'];
      return Object.fromEntries(Array.from({ length: r.int(6) }, () => [r.pick(keys), randomJson(r, depth + 1)]));
    }
  }
}

function randomBody(r) {
  switch (r.int(6)) {
    case 0:
      return undefined;
    case 1:
      return r.pick(['{', 'not json', '[1,2', '\u0000\u0001', '{"a":']);
    case 2:
      return JSON.stringify({ description: 'z'.repeat(1_200_000) });
    default:
      return JSON.stringify(randomJson(r));
  }
}

function randomPath(r) {
  if (r.int(5) === 0) return r.pick(['/', '/api', '/api/v1/installer', '/ocpp/CP-FUZZ', '/api/v1/installer/commissioning//start', `/${'z'.repeat(5000)}`, '/%', '/healthz/x']);
  const route = r.pick(Object.values(ROUTES));
  return route.path.replace(/:([a-z_]+)/g, () => r.pick(NASTY));
}

/**
 * The same request as raw bytes, framed as fetch never would: chunked in random pieces (past the
 * 1 MB limit too), trickled, or cut off before its end. Resolves with the status, or 'reset'
 * when the server closed without an answer (a cut-off body owes none).
 */
async function sendRaw(r, port, method, path, headers, body) {
  // Half of them at login, which reads a body with no token: the way in for anyone on the LAN.
  if (r.int(2) === 0) [method, path] = ['POST', ROUTES.login.path];
  const payload = Buffer.from(r.int(3) === 0 ? 'y'.repeat(1_500_000) : (body ?? r.pick(['', '{"email":"a@b.c","password":"x"}'])));
  const mode = r.pick(['chunked', 'chunked', 'trickle', 'abort']);
  // fetch percent-encodes what a request line cannot carry; done by hand here, or the request
  // line itself is broken (a 400 from Node's parser, before any route or token is looked at).
  const target = path.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c));
  const head = [`${method} ${target} HTTP/1.1`, 'Host: fuzz', 'Connection: close', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
  const chunks = [];
  if (mode === 'chunked' || mode === 'abort') {
    head.push('Transfer-Encoding: chunked');
    for (let at = 0; at < payload.length; ) {
      const size = Math.min(payload.length - at, r.pick([1, 7, 4096, 300_000]));
      chunks.push(`${size.toString(16)}\r\n`, payload.subarray(at, at + size), '\r\n');
      at += size;
    }
    chunks.push('0\r\n\r\n');
  } else {
    head.push(`Content-Length: ${payload.length}`);
    // A slow sender, bounded: a few dozen pieces a few milliseconds apart.
    const piece = Math.max(1, Math.ceil(payload.length / 40));
    for (let at = 0; at < payload.length; at += piece) chunks.push(payload.subarray(at, at + piece));
  }
  const all = [`${head.join('\r\n')}\r\n\r\n`, ...chunks];
  const answer = await rawHttp(port, all, {
    gapMs: mode === 'trickle' ? 2 : 0,
    ...(mode === 'abort' && { abortAfter: 1 + r.int(Math.max(1, all.length - 1)) }),
    timeoutMs: 40_000,
  });
  return { status: answer.status ?? 'reset', mode, method, path };
}

/**
 * What a site server must never hold, read from its database once it has stopped: sessions it
 * did not run (sync is the hosted API's to receive), or a charge point commissioned on any
 * session but one it ran and passed.
 */
async function forgedRecords(server, dataDir) {
  await stop(server.child);
  const { Store } = await import('../../dist/server/store/store.js');
  const store = Store.open(dataDir);
  try {
    const found = store.db.prepare("SELECT 'session ' || id AS what FROM sessions WHERE origin != 'local'").all().map((r) => r.what);
    for (const cp of store.chargePoints.list()) {
      if (!cp.commissionedAt) continue;
      const session = store.sessions.get(cp.commissionedSessionId ?? '');
      if (session?.origin !== 'local' || session.result !== 'passed') found.push(`${cp.id} commissioned on ${cp.commissionedSessionId}`);
    }
    return found;
  } finally {
    await store.close();
  }
}

/** Whether a method and path name a route that needs a token (401 is then the only answer without one). */
function protectedRoute(method, path) {
  const clean = path.split('?')[0].split('/');
  return Object.values(ROUTES).some((route) => {
    if (route.auth === false || route.method !== method) return false;
    const parts = route.path.split('/');
    return parts.length === clean.length && parts.every((p, i) => p.startsWith(':') ? clean[i].length > 0 : p === clean[i]);
  });
}

export async function main({ requests = Number(process.env.REST_FUZZ_REQUESTS ?? 20_000), seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9) } = {}) {
  const dataDir = tempDir();
  const server = await startLocalUp(dataDir, ['--port', '0', '--ocpp-port', '0']);
  const client = await loggedInClient(server.apiUrl, dataDir, CLIENT_OPTIONS);
  const { password } = await client.addLocalChargePoint({ id: 'CP-FUZZ' });
  const { SimulatedChargePoint } = await import('../../dist/sim/simulator.js');
  const sim = new SimulatedChargePoint({ url: server.ocppUrl, id: 'CP-FUZZ', password, reconnect: { minDelayMs: 200, maxDelayMs: 1000 } });
  await sim.start();

  const { email, password: installerPassword } = JSON.parse(readFileSync(join(dataDir, 'installer-credentials.json'), 'utf8'));
  const valid = (await client.login(email, installerPassword)).access_token;
  const serverKey = await importJWK(JSON.parse(readFileSync(join(dataDir, 'jwt-signing-key.json'), 'utf8')), 'EdDSA');
  const otherKey = (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
  const now = Math.floor(Date.now() / 1000);
  const sign = (key, { aud = 'dynamo-installer-api', iss = 'dynamo-local', exp = now + 3600, scope = ['*'] } = {}) =>
    new SignJWT({ scope }).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(iss).setAudience(aud).setSubject('inst_fuzz').setExpirationTime(exp).sign(key);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const tokens = {
    valid,
    scopedElsewhere: await sign(serverKey, { scope: ['CP-OTHER'] }),
    none: undefined,
    garbage: 'garbage',
    unsigned: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'inst_fuzz', iss: 'dynamo-local', aud: 'dynamo-installer-api', exp: now + 3600, scope: ['*'] })}.`,
    otherKey: await sign(otherKey),
    otherAudience: await sign(serverKey, { aud: 'someone-else' }),
    otherIssuer: await sign(serverKey, { iss: 'evil' }),
    expired: await sign(serverKey, { exp: now - 60 }),
  };
  const invalid = new Set(['none', 'garbage', 'unsigned', 'otherKey', 'otherAudience', 'otherIssuer', 'expired']);

  const r = random(seed);
  const stats = { seed, requests: 0, by_status: {}, raw_bodies: {}, server_errors: [], access_without_token: [], scope_leaks: [] };
  const port = Number(new URL(server.apiUrl).port);
  const started = Date.now();
  try {
    for (let i = 0; i < requests; i += 1) {
      let method = r.pick(METHODS);
      let path = randomPath(r) + (r.int(4) === 0 ? r.pick(['?limit=-1', '?level=loud&offset=x', '?session_id=%00', '?limit=99999999999', '?a=1&a=2', '?level=debug&limit=2']) : '');
      const tokenName = r.pick(Object.keys(tokens));
      const headers = {};
      if (tokens[tokenName] !== undefined) headers.authorization = r.int(10) === 0 ? `Basic ${tokens[tokenName]}` : `Bearer ${tokens[tokenName]}`;
      if (r.int(3) === 0) headers['content-type'] = r.pick(['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/json; charset=latin1']);
      if (r.int(8) === 0) headers['idempotency-key'] = r.pick(['k', 'x'.repeat(200), 'é', '']);
      const body = method === 'GET' || method === 'HEAD' ? undefined : randomBody(r);
      let status;
      if (method !== 'GET' && method !== 'HEAD' && r.int(5) === 0) {
        const raw = await sendRaw(r, port, method, path, headers, body);
        ({ status, method, path } = raw);
        stats.raw_bodies[raw.mode] = (stats.raw_bodies[raw.mode] ?? 0) + 1;
        if (server.child.exitCode !== null) {
          stats.server_errors.push(`the server died after a ${raw.mode} body to ${method} ${path.slice(0, 80)}`);
          break;
        }
      } else {
        try {
          const res = await fetch(`${server.apiUrl}${path}`, { method, headers, body });
          status = res.status;
          await res.arrayBuffer();
        } catch (err) {
          // A refused body (413) may reset the connection mid-upload: that is not a server error.
          if (!server.child.exitCode) {
            status = 'reset';
          } else throw err;
        }
      }
      stats.requests += 1;
      stats.by_status[status] = (stats.by_status[status] ?? 0) + 1;
      if (typeof status === 'number' && status >= 500) stats.server_errors.push(`${status} ${method} ${path.slice(0, 80)}`);
      // Without a valid token a route answers 401 and nothing else; 404 (no such route, or an
      // undecodable segment) and 405 are decided before the token and reveal nothing.
      const badToken = invalid.has(tokenName) || headers.authorization?.startsWith('Basic');
      if (badToken && protectedRoute(method, path) && typeof status === 'number' && ![401, 404, 405].includes(status)) {
        stats.access_without_token.push(`${status} ${method} ${path.slice(0, 80)} with ${tokenName}`);
      }
      if (tokenName === 'scopedElsewhere' && !headers.authorization?.startsWith('Basic') && protectedRoute(method, path) && typeof status === 'number' && status >= 200 && status < 300) {
        const cp = path.match(/commissioning\/([^/]+)\//)?.[1] ?? path.match(/charge-points\/([^/]+)/)?.[1];
        // Templates belong to no charge point; anything else answered must be CP-OTHER's.
        if (cp !== 'CP-OTHER' && !path.split('?')[0].endsWith('/templates')) stats.scope_leaks.push(`${status} ${method} ${path.slice(0, 80)}`);
      }
    }
    // Forgery, tried on purpose beside the random requests: with a valid token, a passed session
    // planted through the sync routes, then commission. A site server must refuse both.
    const planted = { charge_point_id: 'CP-FUZZ', session_id: 'comm_planted000001', status: 'completed', result: 'passed', started_at: '2026-01-01T00:00:00Z', completed_at: '2026-01-01T00:01:00Z', steps: [{ name: 'connectivity', status: 'passed' }] };
    await fetch(`${server.apiUrl}/api/v1/installer/commissioning/CP-FUZZ/sessions/${planted.session_id}`, { method: 'PUT', headers: { authorization: `Bearer ${valid}`, 'content-type': 'application/json' }, body: JSON.stringify(planted) }).then((res) => res.arrayBuffer());
    await fetch(`${server.apiUrl}/api/v1/installer/charge-points/CP-FUZZ/commission`, { method: 'POST', headers: { authorization: `Bearer ${valid}` } }).then((res) => res.arrayBuffer());
    const alive = await fetch(`${server.apiUrl}/healthz`).then((res) => res.status === 200, () => false);
    const unhandled = /unhandled|uncaught/i.test(server.stderr());
    const forged = await forgedRecords(server, dataDir);
    return {
      ok: stats.server_errors.length === 0 && stats.access_without_token.length === 0 && stats.scope_leaks.length === 0 && alive && !unhandled && forged.length === 0,
      seed,
      requests: stats.requests,
      by_status: stats.by_status,
      raw_bodies: stats.raw_bodies,
      server_errors: stats.server_errors.slice(0, 20),
      access_without_a_valid_token: stats.access_without_token.slice(0, 20),
      scope_leaks: stats.scope_leaks.slice(0, 20),
      server_alive: alive,
      unhandled_rejection: unhandled,
      forged_records: forged,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    sim.stop();
    await client.close();
    await stop(server.child);
  }
}

await entry(import.meta.url, main);
