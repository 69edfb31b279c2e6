// What the load generator says in each OCPP version: its subprotocol, its BootNotification, and
// its answers to the server's CALLs. Only the frames a commissioning session needs to reach its
// test transaction are modelled; the heartbeat load itself is the same `Heartbeat {}` in both.
import { randomUUID } from 'node:crypto';

const now = () => new Date().toISOString();

/**
 * Each `answer(action, request)` returns the CALLRESULT payload and, for a remote start, the
 * CALL (`[action, payload]`) that then starts the transaction, so that the connection sits
 * inside a running session (every frame logged) while the load runs.
 */
export const DIALECTS = {
  '1.6': {
    subprotocol: 'ocpp1.6',
    boot: { chargePointVendor: 'Bench', chargePointModel: 'Load' },
    answer(action, request) {
      if (action === 'RemoteStartTransaction') {
        return { response: { status: 'Accepted' }, start: ['StartTransaction', { connectorId: 1, idTag: request.idTag, meterStart: 0, timestamp: now() }] };
      }
      if (action === 'GetConfiguration') return { response: { configurationKey: [{ key: 'SupportedFeatureProfiles', readonly: true, value: 'Core' }] } };
      return { response: {} };
    },
  },
  '2.0.1': {
    subprotocol: 'ocpp2.0.1',
    boot: { reason: 'PowerUp', chargingStation: { vendorName: 'Bench', model: 'Load' } },
    answer(action, request) {
      if (action === 'RequestStartTransaction') {
        const { idToken, remoteStartId, evseId = 1 } = request;
        const started = { eventType: 'Started', timestamp: now(), triggerReason: 'RemoteStart', seqNo: 0, transactionInfo: { transactionId: randomUUID(), remoteStartId }, evse: { id: evseId, connectorId: 1 }, idToken };
        return { response: { status: 'Accepted' }, start: ['TransactionEvent', started] };
      }
      // A station with no device model to speak of: every variable is unknown to it.
      if (action === 'GetVariables') return { response: { getVariableResult: request.getVariableData.map(({ component, variable }) => ({ attributeStatus: 'UnknownVariable', component, variable })) } };
      if (action === 'SetVariables') return { response: { setVariableResult: request.setVariableData.map(({ component, variable }) => ({ attributeStatus: 'UnknownVariable', component, variable })) } };
      // Unlike in 1.6, no answer to a CSMS's CALL but CostUpdated's may be `{}`; most take a status that may be Rejected.
      return { response: { status: 'Rejected' } };
    },
  },
};

export const dialect = (version) => {
  const d = DIALECTS[version];
  if (!d) throw new Error(`unknown OCPP version ${version}; choose from ${Object.keys(DIALECTS).join(', ')}`);
  return d;
};
