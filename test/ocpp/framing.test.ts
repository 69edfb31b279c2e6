import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { rawClient, simulator, startCsms, type RawClient, type TestCsms } from '../helpers/ocpp.js';
import type { SimulatedChargePoint } from '../../src/sim/simulator.js';

const boot = { chargePointVendor: 'Acme', chargePointModel: 'Wallbox' };

describe('malformed and invalid frames get the 1.6 CALLERROR and the connection lives on', () => {
  let csms: TestCsms;
  let raw: RawClient;
  let neighbour: SimulatedChargePoint;
  const problems: string[] = [];

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
    csms.server.on('problem', (_id, p) => problems.push(p.message));
    neighbour = simulator(csms.url, { id: 'NEIGHBOUR' });
    await neighbour.start();
    raw = await rawClient(csms.url, 'RAW-1');
  });
  afterAll(async () => {
    neighbour.stop();
    raw.close();
    await csms.close();
  });

  const cases: [string, string, unknown[]][] = [
    ['text that is not JSON', '{"oops', [4, '-1', 'FormationViolation']],
    ['JSON that is not an array', '{"a":1}', [4, '-1', 'FormationViolation']],
    ['a message type that is not a number', '["2","x","Heartbeat",{}]', [4, '-1', 'FormationViolation']],
    ['a CALL without a readable id', '[2,42,"Heartbeat",{}]', [4, '-1', 'FormationViolation']],
    ['a CALL with an id over 36 characters', `[2,"${'x'.repeat(37)}","Heartbeat",{}]`, [4, '-1', 'FormationViolation']],
    ['a CALL without its payload', '[2,"c1","Heartbeat"]', [4, 'c1', 'ProtocolError']],
    ['a CALL with an extra element', '[2,"c2","Heartbeat",{},{}]', [4, 'c2', 'FormationViolation']],
    ['a CALL whose action is not a string', '[2,"c3",7,{}]', [4, 'c3', 'FormationViolation']],
    ['a CALL whose payload is not an object', '[2,"c4","Heartbeat","hi"]', [4, 'c4', 'FormationViolation']],
    ['an unknown action', '[2,"c5","MakeCoffee",{}]', [4, 'c5', 'NotImplemented']],
    ['an action only a Central System sends', '[2,"c6","GetConfiguration",{}]', [4, 'c6', 'NotSupported']],
    ['a missing required field', JSON.stringify([2, 'c7', 'BootNotification', { chargePointVendor: 'Acme' }]), [4, 'c7', 'OccurenceConstraintViolation']],
    ['a field of the wrong type', JSON.stringify([2, 'c8', 'BootNotification', { ...boot, chargePointVendor: 12 }]), [4, 'c8', 'TypeConstraintViolation']],
    ['a string over its CiString length', JSON.stringify([2, 'c9', 'BootNotification', { ...boot, chargePointModel: 'x'.repeat(21) }]), [4, 'c9', 'TypeConstraintViolation']],
    ['a malformed dateTime', JSON.stringify([2, 'c10', 'StartTransaction', { connectorId: 1, idTag: 'T', meterStart: 0, timestamp: 'yesterday' }]), [4, 'c10', 'TypeConstraintViolation']],
    ['a value outside its enumeration', JSON.stringify([2, 'c11', 'StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }]), [4, 'c11', 'PropertyConstraintViolation']],
    ['a field the PDU does not have', JSON.stringify([2, 'c12', 'Heartbeat', { extra: true }]), [4, 'c12', 'FormationViolation']],
    ['a handler that throws', JSON.stringify([2, 'c13', 'Authorize', { idTag: 'EXPLODE' }]), [4, 'c13', 'InternalError']],
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
    const reply = await raw.call('BootNotification', { chargePointVendor: 'Acme' }, 'named');
    expect(reply[3]).toContain('chargePointModel');
  });

  test('replies to unknown ids and unknown message types are dropped, and logged', async () => {
    raw.send('[3,"never-sent",{}]');
    raw.send('[4,"never-sent-either","GenericError","",{}]');
    raw.send('[9,"future-type"]');
    const ok = await raw.call('Heartbeat', {}, 'after-drops');
    expect(ok[1]).toBe('after-drops');
    expect(problems.some((p) => p.includes('unknown message id never-sent'))).toBe(true);
    expect(problems.some((p) => p.includes('unknown message type 9'))).toBe(true);
  });

  test('a CALL sent as a binary frame is still answered, and flagged', async () => {
    raw.send(Buffer.from(JSON.stringify([2, 'bin-1', 'Heartbeat', {}])), true);
    const reply = (await raw.next()) as unknown[];
    expect(reply.slice(0, 2)).toEqual([3, 'bin-1']);
    expect(problems.some((p) => p.includes('binary'))).toBe(true);
  });

  test('the charge point connected beside keeps being served throughout', async () => {
    const cp = csms.server.chargePoint16('NEIGHBOUR')!;
    const conf = await cp.getConfiguration(['HeartbeatInterval']);
    expect(conf.configurationKey?.[0]?.key).toBe('HeartbeatInterval');
    expect(csms.server.chargePoint('RAW-1')?.isOpen).toBe(true);
  });
});
