import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rawClient, simulator, startCsms, type RawClient, type TestCsms } from '../helpers/ocpp.js';
import type { SimulatedChargePoint } from '../../src/sim/simulator.js';

/** What each version's PDUs look like, for the cases that need a real one. */
const PDU = {
  '1.6': {
    boot: { chargePointVendor: 'Acme', chargePointModel: 'Wallbox' },
    bootMissing: { chargePointVendor: 'Acme' },
    bootWrongType: { chargePointVendor: 12, chargePointModel: 'Wallbox' },
    bootTooLong: { chargePointVendor: 'Acme', chargePointModel: 'x'.repeat(21) },
    badDate: ['StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: 'yesterday' }],
    badEnum: ['StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }],
    explode: ['Authorize', { idTag: 'EXPLODE' }],
    csmsOnly: 'GetConfiguration',
    missingField: 'chargePointModel',
  },
  '2.0.1': {
    boot: { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'Wallbox' } },
    bootMissing: { reason: 'PowerUp', chargingStation: { vendorName: 'Acme' } },
    bootWrongType: { reason: 'PowerUp', chargingStation: { vendorName: 12, model: 'Wallbox' } },
    bootTooLong: { reason: 'PowerUp', chargingStation: { vendorName: 'Acme', model: 'x'.repeat(21) } },
    badDate: ['StatusNotification', { timestamp: 'yesterday', connectorStatus: 'Available', evseId: 1, connectorId: 1 }],
    badEnum: ['StatusNotification', { timestamp: '2026-01-01T00:00:00Z', connectorStatus: 'Sleeping', evseId: 1, connectorId: 1 }],
    explode: ['Authorize', { idToken: { idToken: 'EXPLODE', type: 'ISO14443' } }],
    csmsOnly: 'GetVariables',
    missingField: 'model',
  },
} as const;

/** Each version's code for each fault: 1.6's spellings (FormationViolation, OccurenceConstraintViolation), 2.0.1's framework errors. */
const CODE = {
  '1.6': { unreadable: 'FormationViolation', incomplete: 'ProtocolError', malformed: 'FormationViolation', format: 'FormationViolation', occurrence: 'OccurenceConstraintViolation' },
  '2.0.1': { unreadable: 'RpcFrameworkError', incomplete: 'RpcFrameworkError', malformed: 'RpcFrameworkError', format: 'FormatViolation', occurrence: 'OccurrenceConstraintViolation' },
} as const;

describe.each(['1.6', '2.0.1'] as const)('OCPP %s: malformed and invalid frames get the CALLERROR of the connection\'s version, and the connection lives on', (ocpp) => {
  let csms: TestCsms;
  let raw: RawClient;
  let neighbour: SimulatedChargePoint;
  const problems: string[] = [];
  const p = PDU[ocpp];
  const c = CODE[ocpp];

  beforeAll(async () => {
    csms = await startCsms({
      open: true,
      policy: {
        authorizeIdTag: (_cp, idTag) => {
          if (idTag === 'EXPLODE') throw new Error('token store unavailable');
          return 'Accepted';
        },
      },
    });
    csms.server.on('problem', (_id, problem) => problems.push(problem.message));
    neighbour = simulator(csms.url, { id: 'NEIGHBOUR' });
    await neighbour.start();
    raw = await rawClient(csms.url, 'RAW-1', [`ocpp${ocpp}`]);
  });
  afterAll(async () => {
    neighbour.stop();
    raw.close();
    await csms.close();
  });

  const cases: [string, string, unknown[]][] = [
    ['text that is not JSON', '{"oops', [4, '-1', c.unreadable]],
    ['JSON that is not an array', '{"a":1}', [4, '-1', c.unreadable]],
    ['a message type that is not a number', '["2","x","Heartbeat",{}]', [4, '-1', c.unreadable]],
    ['a CALL without a readable id', '[2,42,"Heartbeat",{}]', [4, '-1', c.unreadable]],
    ['a CALL with an id over 36 characters', `[2,"${'x'.repeat(37)}","Heartbeat",{}]`, [4, '-1', c.unreadable]],
    ['a CALL without its payload', '[2,"c1","Heartbeat"]', [4, 'c1', c.incomplete]],
    ['a CALL with an extra element', '[2,"c2","Heartbeat",{},{}]', [4, 'c2', c.malformed]],
    ['a CALL whose action is not a string', '[2,"c3",7,{}]', [4, 'c3', c.malformed]],
    ['a CALL whose payload is not an object', '[2,"c4","Heartbeat","hi"]', [4, 'c4', c.format]],
    ['an unknown action', '[2,"c5","MakeCoffee",{}]', [4, 'c5', 'NotImplemented']],
    ['an action only a Central System sends', `[2,"c6","${p.csmsOnly}",{}]`, [4, 'c6', 'NotSupported']],
    ['a missing required field', JSON.stringify([2, 'c7', 'BootNotification', p.bootMissing]), [4, 'c7', c.occurrence]],
    ['a field of the wrong type', JSON.stringify([2, 'c8', 'BootNotification', p.bootWrongType]), [4, 'c8', 'TypeConstraintViolation']],
    ['a string over its length', JSON.stringify([2, 'c9', 'BootNotification', p.bootTooLong]), [4, 'c9', 'TypeConstraintViolation']],
    ['a malformed dateTime', JSON.stringify([2, 'c10', ...p.badDate]), [4, 'c10', 'TypeConstraintViolation']],
    ['a value outside its enumeration', JSON.stringify([2, 'c11', ...p.badEnum]), [4, 'c11', 'PropertyConstraintViolation']],
    ['a field the PDU does not have', JSON.stringify([2, 'c12', 'Heartbeat', { extra: true }]), [4, 'c12', c.format]],
    ['a handler that throws', JSON.stringify([2, 'c13', ...p.explode]), [4, 'c13', 'InternalError']],
  ];

  test.each(cases)('%s', async (_name, text, expected) => {
    raw.send(text);
    const reply = (await raw.next()) as unknown[];
    expect(reply.slice(0, 3)).toEqual(expected);
    expect(typeof reply[3]).toBe('string');
    expect(reply[4]).toEqual(expect.any(Object));
    // Still alive: the next valid call is answered.
    const ok = await raw.call('Heartbeat', {});
    expect(ok[0]).toBe(3);
  });

  test('the error description names the offending field', async () => {
    const reply = await raw.call('BootNotification', p.bootMissing, 'named');
    expect(reply[3]).toContain(p.missingField);
  });

  test('replies to unknown ids are dropped, and logged', async () => {
    raw.send('[3,"never-sent",{}]');
    raw.send('[4,"never-sent-either","GenericError","",{}]');
    const ok = await raw.call('Heartbeat', {}, 'after-drops');
    expect(ok[1]).toBe('after-drops');
    expect(problems.some((x) => x.includes('unknown message id never-sent'))).toBe(true);
  });

  test('an unknown message type: 1.6 ignores it (logged); 2.0.1 answers MessageTypeNotSupported (Part 4 §4.4)', async () => {
    raw.send('[9,"future-type"]');
    if (ocpp === '2.0.1') expect(((await raw.next()) as unknown[]).slice(0, 3)).toEqual([4, 'future-type', 'MessageTypeNotSupported']);
    const ok = await raw.call('Heartbeat', {}, 'after-type-9');
    expect(ok[1]).toBe('after-type-9');
    expect(problems.some((x) => x.includes('unknown message type 9'))).toBe(true);
  });

  test('a CALL sent as a binary frame is still answered, and flagged', async () => {
    raw.send(Buffer.from(JSON.stringify([2, 'bin-1', 'Heartbeat', {}])), true);
    const reply = (await raw.next()) as unknown[];
    expect(reply.slice(0, 2)).toEqual([3, 'bin-1']);
    expect(problems.some((x) => x.includes('binary'))).toBe(true);
  });

  test.each([
    ['a frame over 1 MiB', (r: RawClient) => r.send(JSON.stringify([2, 'big', 'Heartbeat', { pad: 'x'.repeat(1_100_000) }])), 1009],
    ['a text frame that is not UTF-8', (r: RawClient) => r.ws.send(Buffer.from([0x5b, 0x32, 0xff, 0xfe, 0x5d]), { binary: false }), 1007],
  ] as const)('%s closes that connection with %s (RFC 6455), and only that one', async (_name, send, code) => {
    const victim = await rawClient(csms.url, `RAW-${code}`, [`ocpp${ocpp}`]);
    const closed = new Promise<number>((resolve) => victim.ws.once('close', (c) => resolve(c)));
    send(victim);
    expect(await closed).toBe(code);
    expect((await raw.call('Heartbeat', {}, `after-${code}`))[1]).toBe(`after-${code}`);
  });

  test('the charge point connected beside keeps being served throughout', async () => {
    const cp = csms.server.chargePoint16('NEIGHBOUR')!;
    const conf = await cp.getConfiguration(['HeartbeatInterval']);
    expect(conf.configurationKey?.[0]?.key).toBe('HeartbeatInterval');
    expect(csms.server.chargePoint('RAW-1')?.isOpen).toBe(true);
  });
});
