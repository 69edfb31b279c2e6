import type { ConfigurationReportItem } from '../../../api/contract.js';
import type * as T from '../../../ocpp/ocpp16.js';
import type { CsmsCalls16 } from '../../../ocpp/ocpp16.js';
import { AUTHORIZATION_KEY, passwordsFor } from '../../auth/authorization-key.js';
import type { StepContext } from '../step-context.js';
import { statusOrCallError } from '../steps/outcome.js';
import {
  type AvailabilityAdapter,
  type AvailabilityUnit,
  caller,
  type ConfigurationAdapter,
  type DiagnosticsAdapter,
  endedByChargePoint,
  type FirmwareAdapter,
  firmwareStatus,
  type ProtocolAdapter,
  type PushResult,
  type Setting,
  type StartedTransaction,
  type TransactionAdapter,
} from './adapter.js';
import { rebootFor, sameValue, switchedPassword } from './settings-check.js';

/**
 * How the commissioning steps are done with OCPP 1.6J: GetConfiguration and ChangeConfiguration,
 * TriggerMessage where RemoteTrigger is among the feature profiles, ChangeAvailability per
 * connector, RemoteStart/StopTransaction with StartTransaction and StopTransaction.
 */
const ocpp = (ctx: StepContext) => caller<CsmsCalls16>(ctx);
/** The Reset that makes RebootRequired values take effect. */
const reset = (ctx: StepContext): { name: string; call: () => Promise<unknown> } => ({ name: 'Reset(Soft)', call: () => ocpp(ctx).call('Reset', { type: 'Soft' }) });

/** The charge point's feature profiles, asked once per step. */
async function featureProfiles(ctx: StepContext): Promise<string[]> {
  const known = ctx.memo.get('profiles') as string[] | undefined;
  if (known) return known;
  const answer = await ocpp(ctx).call('GetConfiguration', { key: ['SupportedFeatureProfiles'] });
  const value = answer.configurationKey?.find((k) => k.key === 'SupportedFeatureProfiles')?.value ?? '';
  const profiles = value.split(',').map((p) => p.trim()).filter(Boolean);
  ctx.memo.set('profiles', profiles);
  return profiles;
}

/** TriggerMessage is in the RemoteTrigger profile: do not rely on it unless it is listed. */
const canTrigger = async (ctx: StepContext): Promise<boolean> => (await featureProfiles(ctx)).includes('RemoteTrigger');

async function keyValue(ctx: StepContext, key: string): Promise<string | undefined> {
  const answer = await ocpp(ctx).call('GetConfiguration', { key: [key] });
  return answer.configurationKey?.find((k) => k.key === key)?.value;
}

const asReport = (keys: T.GetConfigurationResponse['configurationKey']): ConfigurationReportItem[] =>
  (keys ?? []).map((k) => ({ name: k.key, value: k.value ?? null, mutability: k.readonly ? 'ReadOnly' : 'ReadWrite' }));

/** GetConfiguration of everything; remembered for diagnostics and kept with the session. */
async function readAll(ctx: StepContext): Promise<Map<string, string | undefined>> {
  const answer = await ocpp(ctx).call('GetConfiguration', {});
  ctx.link.rememberConfiguration({ items: asReport(answer.configurationKey) });
  return new Map((answer.configurationKey ?? []).map((k) => [k.key, k.value]));
}

/** Sends one key: Accepted or RebootRequired, or why it was not applied (logged). */
async function changeKey(ctx: StepContext, key: string, value: string, position: string): Promise<{ status: string; reason?: string }> {
  ctx.progress(`ChangeConfiguration ${key} (${position})`);
  const status = await statusOrCallError(ocpp(ctx).call('ChangeConfiguration', { key, value }));
  if (status === 'Accepted' || status === 'RebootRequired') return { status };
  if (status === 'NotSupported') {
    ctx.log('warn', `Key '${key}' not supported by firmware — skipped`);
    return { status, reason: 'not supported by firmware' };
  }
  ctx.log('warn', `Key '${key}' was not applied: ChangeConfiguration answered ${status}`);
  return { status, reason: status };
}

/**
 * ChangeConfiguration per key, and a check of what really changed: Accepted and RebootRequired
 * count as applied (a Reset(Soft) makes the latter take effect), Rejected and NotSupported do
 * not, and a key that reads back with another value was not applied whatever the answer said.
 * AuthorizationKey goes last, after the read-back: the charge point reconnects with its new
 * password once it has taken it, and it cannot be read back anyway.
 */
async function push(ctx: StepContext, keys: Setting[]): Promise<PushResult> {
  await readAll(ctx);
  const applied: string[] = [];
  const rejected: { name: string; reason: string }[] = [];
  const needReboot: string[] = [];
  const ordinary = keys.filter((k) => k.name !== AUTHORIZATION_KEY);
  const position = (i: number): string => `${i + 1}/${keys.length}`;
  for (const [i, { name, value }] of ordinary.entries()) {
    const { status, reason } = await changeKey(ctx, name, value, position(i));
    if (reason !== undefined) rejected.push({ name, reason });
    else applied.push(name);
    if (status === 'RebootRequired') needReboot.push(name);
  }
  if (needReboot.length > 0) await rebootFor(ctx, needReboot, reset(ctx));

  ctx.progress('reading the configuration back');
  const after = await readAll(ctx);
  for (const name of [...applied]) {
    const expected = keys.find((k) => k.name === name)!.value;
    const actual = after.get(name);
    if (sameValue(expected, actual)) continue;
    applied.splice(applied.indexOf(name), 1);
    const reason = actual === undefined ? 'missing when read back' : `reads back '${actual}'`;
    rejected.push({ name, reason });
    ctx.log('warn', `Key '${name}' was accepted but ${reason} (expected '${expected}')`);
  }

  const readBack = new Map<string, string>();
  for (const { name } of ordinary) {
    const value = after.get(name);
    if (value !== undefined) readBack.set(name, value);
  }
  const password = keys.find((k) => k.name === AUTHORIZATION_KEY);
  if (password) {
    // Offered before it is sent: a charge point that switches at once must find it accepted.
    await ctx.link.offerPassword(passwordsFor(password.value));
    const { status, reason } = await changeKey(ctx, password.name, password.value, position(keys.length - 1));
    if (reason !== undefined) {
      ctx.link.withdrawOfferedPassword();
      rejected.push({ name: password.name, reason });
    } else {
      applied.push(password.name);
      ctx.log('info', `${AUTHORIZATION_KEY} accepted: the charge point connects with its new password from now on; the old one works until it does`);
      if (status === 'RebootRequired') await rebootFor(ctx, [password.name], reset(ctx));
      else await switchedPassword(ctx);
    }
  }
  return { applied, rejected, readBack, writeOnly: password ? [password.name] : [] };
}

const configuration: ConfigurationAdapter = {
  singular: 'key',
  noun: 'configuration keys',
  settings: (template) => (template.configuration.length > 0 || template.variables.length === 0 ? template.configuration.map((k) => ({ name: k.key, value: k.value, required: k.required })) : null),
  push,
};

type Status = T.StatusNotificationRequest['status'];

/** Statuses of a connector that works; Unavailable and Faulted do not. */
const USABLE: readonly Status[] = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved'];

const connectorNumber = (unit: AvailabilityUnit): number => Number(unit.connectors[0]!.key);

const availability: AvailabilityAdapter = {
  async units(ctx) {
    const reported = Number.parseInt((await keyValue(ctx, 'NumberOfConnectors')) ?? '', 10);
    const seen = [...(ctx.link.state()?.connectors.keys() ?? [])].map(Number).filter((c) => c > 0);
    const count = Number.isFinite(reported) && reported > 0 ? reported : Math.max(1, ...seen);
    return Array.from({ length: count }, (_, i) => ({ label: `connector ${i + 1}`, connectors: [{ key: String(i + 1), label: `connector ${i + 1}`, short: String(i + 1) }] }));
  },
  triggerStatus: (ctx, c) => statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: Number(c.key) })),
  read(request) {
    const r = request as T.StatusNotificationRequest;
    return { key: String(r.connectorId), status: r.status, errorCode: r.errorCode };
  },
  usable: (s) => USABLE.includes(s.status as Status),
  unavailable: 'Unavailable',
  available: 'Available',
  async setOperative(ctx, unit, operative) {
    const answer = await ocpp(ctx).call('ChangeAvailability', { connectorId: connectorNumber(unit), type: operative ? 'Operative' : 'Inoperative' });
    return answer.status;
  },
  restoreNow: (ctx, unit) => ocpp(ctx).now('ChangeAvailability', { connectorId: connectorNumber(unit), type: 'Operative' }),
};

/** Energy.Active.Import.Register readings in Wh. */
function registerReadings(values: T.MeterValuesRequest['meterValue']): number[] {
  const out: number[] = [];
  for (const mv of values) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register') continue;
      const n = Number(s.value);
      if (Number.isFinite(n)) out.push(s.unit === 'kWh' ? n * 1000 : n);
    }
  }
  return out;
}

/** Transactions the charge point stopped on its own while the test ran. */
const stoppedByChargePoint = new WeakMap<StartedTransaction, T.StopTransactionRequest>();

const transactions: TransactionAdapter = {
  async start(ctx, settings) {
    const { connector_id: connectorId, id_tag: idTag } = settings;
    const waitMs = ctx.settings.transactionWaitMs;
    const started = ctx.expect<T.StartTransactionRequest, T.StartTransactionResponse>('StartTransaction', (r) => r.connectorId === connectorId && r.idTag === idTag, waitMs);
    ctx.progress(`RemoteStartTransaction on connector ${connectorId}`);
    // Not repeated after a disconnect: a second RemoteStart could start a second transaction.
    const answer = await statusOrCallError(ocpp(ctx).call('RemoteStartTransaction', { connectorId, idTag }, { retry: false }));
    if (answer !== 'Accepted') return { ok: false, detail: `RemoteStartTransaction answered ${answer} by the charge point` };
    ctx.progress('waiting for StartTransaction');
    const start = await started;
    if (!start) return { ok: false, detail: `RemoteStartTransaction accepted but no StartTransaction within ${waitMs / 1000} s` };
    return { ok: true, transaction: { id: String(start.response.transactionId), meterStartWh: start.request.meterStart } };
  },
  onReadings(ctx, transaction, listener) {
    return ctx.link.onCall((action, request) => {
      if (action === 'StopTransaction' && String((request as T.StopTransactionRequest).transactionId) === transaction.id) {
        stoppedByChargePoint.set(transaction, request as T.StopTransactionRequest);
        return;
      }
      const r = request as T.MeterValuesRequest;
      if (action !== 'MeterValues' || String(r.transactionId) !== transaction.id) return;
      for (const mv of r.meterValue) listener(registerReadings([mv]));
    });
  },
  async triggerReadings(ctx, _transaction, settings) {
    if (!(await canTrigger(ctx))) return false;
    const triggered = ctx.expect<T.MeterValuesRequest>('MeterValues', (r) => r.connectorId === settings.connector_id, ctx.settings.triggerWaitMs);
    const status = await statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'MeterValues', connectorId: settings.connector_id }));
    return status === 'Accepted' && (await triggered) !== null;
  },
  async stop(ctx, transaction) {
    // No reason means Local (the charge point's own stop button): 1.6 §7.35.
    const early = stoppedByChargePoint.get(transaction);
    if (early) return endedByChargePoint(transaction.id, early.reason ?? 'Local');
    const transactionId = Number(transaction.id);
    const waitMs = ctx.settings.transactionWaitMs;
    const stopped = ctx.expect<T.StopTransactionRequest>('StopTransaction', (r) => r.transactionId === transactionId, waitMs);
    const answer = await statusOrCallError(ocpp(ctx).call('RemoteStopTransaction', { transactionId }));
    if (answer !== 'Accepted') return { ok: false, detail: `RemoteStopTransaction answered ${answer}; transaction ${transactionId} may still be running` };
    const stop = await stopped;
    if (!stop) return { ok: false, detail: `RemoteStopTransaction accepted but no StopTransaction within ${waitMs / 1000} s` };
    return { ok: true, meterStopWh: stop.request.meterStop, readings: registerReadings(stop.request.transactionData ?? []) };
  },
  stopNow: (ctx, transaction) => ocpp(ctx).now('RemoteStopTransaction', { transactionId: Number(transaction.id) }),
};

/**
 * 1.6 UpdateFirmware (Core profile FirmwareManagement): a location and a retrieveDate, no
 * signature (that is the security whitepaper's SignedUpdateFirmware, not supported here). Its
 * notifications carry no request id, so every one after ours is ours.
 */
const firmware16: FirmwareAdapter = {
  async update(cp, order) {
    if (order.signature !== undefined || order.signingCertificate !== undefined) {
      return { ok: false, detail: 'a signed update needs OCPP 2.0.1 (1.6 SignedUpdateFirmware is not supported); send it without --signature' };
    }
    const request: T.UpdateFirmwareRequest = { location: order.location, retrieveDate: order.retrieveAt.toISOString() };
    await cp.callAny('UpdateFirmware', request);
    return { ok: true };
  },
  read(notification) {
    const { status } = notification as T.FirmwareStatusNotificationRequest;
    return firmwareStatus({ installed: ['Installed'], failed: ['DownloadFailed', 'InstallationFailed'] }, status, true);
  },
};

/** 1.6 GetDiagnostics (FirmwareManagement): a location; DiagnosticsStatusNotification carries no request id. */
const diagnostics16: DiagnosticsAdapter = {
  notification: 'DiagnosticsStatusNotification',
  async request(cp, order) {
    const answer = (await cp.callAny('GetDiagnostics', { location: order.location } satisfies T.GetDiagnosticsRequest)) as T.GetDiagnosticsResponse;
    // No fileName: "no diagnostics file available" (1.6 §6.29).
    return answer.fileName ? { ok: true, fileName: answer.fileName } : { ok: false, detail: 'GetDiagnostics answered without a fileName: it has no diagnostics file to send' };
  },
  read(notification) {
    const { status } = notification as T.DiagnosticsStatusNotificationRequest;
    return { status, stage: status === 'Uploaded' ? 'uploaded' : status === 'UploadFailed' ? 'failed' : status === 'Idle' ? 'idle' : 'progress', ours: true };
  },
};

export const ocpp16Adapter: ProtocolAdapter = {
  firmware: firmware16,
  diagnostics: diagnostics16,
  version: '1.6',
  boot: {
    /**
     * Real firmware may reconnect without booting and then stay silent, so a connection without
     * a boot on it is asked for one with TriggerMessage(BootNotification).
     */
    async ensureBooted(ctx) {
      if (ctx.link.state()?.bootedThisConnection) return { ok: true };
      ctx.log('warn', 'Connected without a BootNotification on this connection; asking for one (TriggerMessage)');
      const waitMs = ctx.settings.triggerWaitMs * 5;
      const boot = ctx.expect('BootNotification', () => true, waitMs);
      const status = await statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'BootNotification' }));
      if (status !== 'Accepted') return { ok: false, detail: `Connected, but sent no BootNotification and TriggerMessage(BootNotification) was answered ${status}` };
      if (!(await boot)) return { ok: false, detail: `Connected, but no BootNotification within ${waitMs / 1000} s of TriggerMessage` };
      return { ok: true };
    },
    async acceptPending(ctx) {
      ctx.link.markConfigured();
      const waitMs = ctx.settings.triggerWaitMs * 5;
      const boot = ctx.expect('BootNotification', () => true, waitMs);
      const status = await statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'BootNotification' }));
      if (status !== 'Accepted') return { ok: false, detail: `TriggerMessage(BootNotification) answered ${status}` };
      if (!(await boot) || ctx.link.state()?.registration !== 'Accepted') return { ok: false, detail: `no accepted BootNotification within ${waitMs / 1000} s` };
      return { ok: true };
    },
  },
  heartbeat: {
    trigger: (ctx) => statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'Heartbeat' })),
    canTrigger,
    async interval(ctx) {
      const n = Number.parseInt((await keyValue(ctx, 'HeartbeatInterval')) ?? '', 10);
      return Number.isFinite(n) ? n : null;
    },
  },
  configuration,
  availability,
  transactions,
};
