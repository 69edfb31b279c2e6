import { randomInt, randomUUID } from 'node:crypto';
import type { ConfigurationReportItem } from '../../../api/contract.js';
import { batch, getVariableData, setVariableData, type VariableRef } from '../../../ocpp/csms/charge-point.js';
import { CallError } from '../../../ocpp/errors.js';
import type * as T from '../../../ocpp/ocpp201.js';
import type { CsmsCalls201 } from '../../../ocpp/ocpp201.js';
import { BASIC_AUTH_PASSWORD, SECURITY_CTRLR } from '../../auth/authorization-key.js';
import type { StepContext } from '../step-context.js';
import { statusOrCallError } from '../steps/outcome.js';
import type { TemplateVariable } from '../templates.js';
import {
  type AvailabilityAdapter,
  type AvailabilityUnit,
  caller,
  type ConfigurationAdapter,
  endedByChargePoint,
  type ConnectorRef,
  type DiagnosticsAdapter,
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
 * How the commissioning steps are done with OCPP 2.0.1: the device model (GetBaseReport and its
 * NotifyReport pages, GetVariables and SetVariables cut to the station's ItemsPerMessage and
 * BytesPerMessage), TriggerMessage, ChangeAvailability per EVSE, and a transaction the station
 * numbers itself, followed through TransactionEvent by its remoteStartId.
 */
const ocpp = (ctx: StepContext) => caller<CsmsCalls201>(ctx);
/** The Reset that makes RebootRequired values take effect. */
const reset = (ctx: StepContext): { name: string; call: () => Promise<unknown> } => ({ name: 'Reset(OnIdle)', call: () => ocpp(ctx).call('Reset', { type: 'OnIdle' }) });

// ——— names ———

/** How people name a variable: `OCPPCommCtrlr.HeartbeatInterval`, `EVSE[1].Power`, `DeviceDataCtrlr.ItemsPerMessage[GetVariables]`. */
export function variableName(v: VariableRef): string {
  const where = v.evse === undefined ? '' : `[${v.evse}${v.connector === undefined ? '' : `,${v.connector}`}]`;
  const component = `${v.component}${v.componentInstance ? `(${v.componentInstance})` : ''}${where}`;
  const attribute = v.attributeType && v.attributeType !== 'Actual' ? `/${v.attributeType}` : '';
  return `${component}.${v.variable}${v.variableInstance ? `[${v.variableInstance}]` : ''}${attribute}`;
}

const refOf = (v: TemplateVariable): VariableRef => ({
  component: v.component,
  variable: v.variable,
  ...(v.evse !== undefined && { evse: v.evse }),
  ...(v.connector !== undefined && { connector: v.connector }),
  ...(v.component_instance !== undefined && { componentInstance: v.component_instance }),
  ...(v.variable_instance !== undefined && { variableInstance: v.variable_instance }),
  ...(v.attribute !== undefined && { attributeType: v.attribute }),
});

/** A result names its component and variable as the station spells them: case does not matter (B05, B06). */
const same = (a: string | undefined, b: string | undefined): boolean => (a ?? '').toLowerCase() === (b ?? '').toLowerCase();

function resultFor<R extends { component: T.ComponentType; variable: T.VariableType; attributeType?: T.AttributeEnumType }>(results: R[], ref: VariableRef, index: number): R | undefined {
  const matches = (r: R): boolean =>
    same(r.component.name, ref.component) &&
    same(r.variable.name, ref.variable) &&
    same(r.component.instance, ref.componentInstance) &&
    same(r.variable.instance, ref.variableInstance) &&
    (r.component.evse?.id ?? undefined) === ref.evse &&
    (r.component.evse?.connectorId ?? undefined) === ref.connector &&
    same(r.attributeType ?? 'Actual', ref.attributeType ?? 'Actual');
  // One result per request element, in order (B05.FR.01, B06.FR.01); matched by name when not.
  const inOrder = results[index];
  return inOrder && matches(inOrder) ? inOrder : results.find(matches);
}

const isPassword = (v: VariableRef): boolean => same(v.component, SECURITY_CTRLR) && same(v.variable, BASIC_AUTH_PASSWORD);

// ——— message limits and batched Get/SetVariables ———

interface Limits {
  getItems: number;
  getBytes: number;
  setItems: number;
  setBytes: number;
}

const frameBytes = (action: string, payload: unknown): number => Buffer.byteLength(JSON.stringify([2, randomUUID(), action, payload]));

/**
 * The station's DeviceDataCtrlr.ItemsPerMessage and BytesPerMessage for GetVariables and
 * SetVariables, read first (B06.FR.05: never send more than it says it takes). A station that
 * refuses even those four in one request is asked for one at a time.
 */
async function limits(ctx: StepContext): Promise<Limits> {
  const known = ctx.memo.get('limits') as Limits | undefined;
  if (known) return known;
  const refs: VariableRef[] = ['GetVariables', 'SetVariables'].flatMap((instance) =>
    ['ItemsPerMessage', 'BytesPerMessage'].map((variable) => ({ component: 'DeviceDataCtrlr', variable, variableInstance: instance })),
  );
  let results: T.GetVariableResultType[];
  try {
    results = (await ocpp(ctx).call('GetVariables', { getVariableData: refs.map(getVariableData) })).getVariableResult;
  } catch (err) {
    if (!(err instanceof CallError)) throw err;
    results = [];
    for (const ref of refs) results.push(...(await ocpp(ctx).call('GetVariables', { getVariableData: [getVariableData(ref)] })).getVariableResult);
  }
  const value = (i: number, fallback: number): number => {
    const r = resultFor(results, refs[i]!, i);
    const n = Number(r?.attributeStatus === 'Accepted' ? r.attributeValue : NaN);
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  // Without a figure, the smallest the spec lets a station report is taken: one item, and no
  // byte limit beyond the frame limit of the connection.
  const found: Limits = { getItems: value(0, 1), getBytes: value(1, 1 << 20), setItems: value(2, 1), setBytes: value(3, 1 << 20) };
  ctx.memo.set('limits', found);
  return found;
}

async function getVariables(ctx: StepContext, refs: VariableRef[]): Promise<(T.GetVariableResultType | undefined)[]> {
  const l = await limits(ctx);
  const out: (T.GetVariableResultType | undefined)[] = [];
  const batches = batch(refs, l.getItems, l.getBytes, (b) => frameBytes('GetVariables', { getVariableData: b.map(getVariableData) }));
  for (const part of batches) {
    const { getVariableResult } = await ocpp(ctx).call('GetVariables', { getVariableData: part.map(getVariableData) });
    part.forEach((ref, i) => out.push(resultFor(getVariableResult, ref, i)));
  }
  return out;
}

async function setVariables(ctx: StepContext, values: (VariableRef & { value: string })[]): Promise<(T.SetVariableResultType | undefined)[]> {
  const l = await limits(ctx);
  const out: (T.SetVariableResultType | undefined)[] = [];
  const batches = batch(values, l.setItems, l.setBytes, (b) => frameBytes('SetVariables', { setVariableData: b.map(setVariableData) }));
  for (const [n, part] of batches.entries()) {
    ctx.progress(`SetVariables ${part.map(variableName).join(', ')} (${n + 1}/${batches.length})`);
    const { setVariableResult } = await ocpp(ctx).call('SetVariables', { setVariableData: part.map(setVariableData) });
    part.forEach((v, i) => out.push(resultFor(setVariableResult, v, i)));
  }
  return out;
}

async function oneValue(ctx: StepContext, ref: VariableRef): Promise<string | null> {
  const [r] = await getVariables(ctx, [ref]);
  return r?.attributeStatus === 'Accepted' ? (r.attributeValue ?? null) : null;
}

// ——— the device model report ———

/**
 * What one report may hold: a station's device model is a few hundred variables; a report past
 * these is a flood (1,000 pages of a megabyte each are schema-valid), and what is over them is
 * not kept. Pages are counted to the end all the same, so that the report completes.
 */
const MAX_REPORT_PAGES = 1000;
const MAX_REPORT_ATTRIBUTES = 5000;
const MAX_REPORT_CHARS = 4 * 1024 * 1024;

/** The attributes of a page and the characters of the text they carry. */
function costOf(data: T.ReportDataType[]): { attributes: number; chars: number } {
  let attributes = 0;
  let chars = 0;
  for (const d of data) {
    chars += d.component.name.length + (d.component.instance?.length ?? 0) + d.variable.name.length + (d.variable.instance?.length ?? 0);
    for (const a of d.variableAttribute) {
      attributes += 1;
      chars += a.value?.length ?? 0;
    }
  }
  return { attributes, chars };
}

function reportItems(data: T.ReportDataType[]): ConfigurationReportItem[] {
  const items: ConfigurationReportItem[] = [];
  for (const d of data) {
    const ref: VariableRef = {
      component: d.component.name,
      variable: d.variable.name,
      ...(d.component.evse && { evse: d.component.evse.id }),
      ...(d.component.evse?.connectorId !== undefined && { connector: d.component.evse.connectorId }),
      ...(d.component.instance !== undefined && { componentInstance: d.component.instance }),
      ...(d.variable.instance !== undefined && { variableInstance: d.variable.instance }),
    };
    for (const a of d.variableAttribute) {
      const mutability = a.mutability ?? 'ReadWrite';
      items.push({
        name: variableName({ ...ref, ...(a.type && { attributeType: a.type }) }),
        value: mutability === 'WriteOnly' || isPassword(ref) ? null : (a.value ?? null),
        mutability,
        component: ref.component,
        ...(ref.componentInstance !== undefined && { component_instance: ref.componentInstance }),
        ...(ref.evse !== undefined && { evse_id: ref.evse }),
        ...(ref.connector !== undefined && { connector_id: ref.connector }),
        variable: ref.variable,
        ...(ref.variableInstance !== undefined && { variable_instance: ref.variableInstance }),
        attribute: a.type ?? 'Actual',
        ...(d.variableCharacteristics?.dataType && { data_type: d.variableCharacteristics.dataType }),
        ...(d.variableCharacteristics?.unit && { unit: d.variableCharacteristics.unit }),
      });
    }
  }
  return items;
}

/**
 * GetBaseReport(FullInventory) and its NotifyReport pages (seqNo from 0, tbc until the last):
 * what the station has. Remembered for diagnostics and kept with the session. Null when the
 * station will not report.
 */
async function baseReport(ctx: StepContext): Promise<ConfigurationReportItem[] | null> {
  const requestId = randomInt(1, 2 ** 31 - 1);
  const kept = new Map<number, T.ReportDataType[]>();
  const seen = new Set<number>();
  const used = { attributes: 0, chars: 0 };
  let truncated = false;
  let last: number | null = null;
  let done!: () => void;
  const complete = new Promise<void>((resolve) => (done = resolve));
  const stop = ctx.link.onCall((action, request) => {
    const r = request as T.NotifyReportRequest;
    if (action !== 'NotifyReport' || r.requestId !== requestId || seen.has(r.seqNo) || seen.size >= MAX_REPORT_PAGES) return;
    seen.add(r.seqNo);
    if (!r.tbc) last = r.seqNo;
    const data = r.reportData ?? [];
    const cost = costOf(data);
    if (!truncated && used.attributes + cost.attributes <= MAX_REPORT_ATTRIBUTES && used.chars + cost.chars <= MAX_REPORT_CHARS) {
      kept.set(r.seqNo, data);
      used.attributes += cost.attributes;
      used.chars += cost.chars;
    } else truncated = true;
    if (last !== null && seen.size === last + 1) done();
  });
  try {
    ctx.progress('GetBaseReport(FullInventory)');
    const answer = await statusOrCallError(ocpp(ctx).call('GetBaseReport', { requestId, reportBase: 'FullInventory' }));
    if (answer !== 'Accepted') {
      ctx.log('warn', `GetBaseReport(FullInventory) answered ${answer}; the station's configuration is read variable by variable`);
      return null;
    }
    const waitMs = ctx.settings.statusWaitMs * 3;
    const timedOut = await Promise.race([complete.then(() => false), ctx.sleep(waitMs).then(() => true)]);
    if (timedOut) ctx.log('warn', `The report was not complete within ${waitMs / 1000} s (${seen.size} page(s)); using what came`);
    if (truncated) {
      ctx.warn(
        `The station's report is larger than a device model (over ${MAX_REPORT_ATTRIBUTES} attributes or ${MAX_REPORT_CHARS / 1024 / 1024} MiB of text); kept its first ${used.attributes} attributes`,
      );
    }
    const items = reportItems([...kept.entries()].sort((a, b) => a[0] - b[0]).flatMap(([, d]) => d));
    ctx.link.rememberConfiguration({ items });
    return items;
  } finally {
    stop();
  }
}

// ——— configuration ———

const reasonOf = (r: T.SetVariableResultType | undefined): string =>
  r ? `${r.attributeStatus}${r.attributeStatusInfo?.reasonCode ? `, ${r.attributeStatusInfo.reasonCode}${r.attributeStatusInfo.additionalInfo ? `: ${r.attributeStatusInfo.additionalInfo}` : ''}` : ''}` : 'no result for it in the answer';

/**
 * SetVariables (batched to the station's limits) and a check of what really changed: Accepted
 * and RebootRequired count as applied (a Reset makes the latter take effect), Rejected,
 * UnknownComponent, UnknownVariable and NotSupportedAttributeType do not, and a variable that
 * reads back with another value was not applied whatever the answer said. WriteOnly variables are
 * not read back; SecurityCtrlr.BasicAuthPassword goes last, alone, as the 1.6 AuthorizationKey.
 */
async function push(ctx: StepContext, settings: Setting[], variables: TemplateVariable[]): Promise<PushResult> {
  const report = await baseReport(ctx);
  const reported = new Map((report ?? []).map((i) => [i.name.toLowerCase(), i]));
  const mutability = (name: string): string | undefined => reported.get(name.toLowerCase())?.mutability;
  const all = variables.map((v, i) => ({ ...refOf(v), value: v.value, name: settings[i]!.name }));
  const applied: string[] = [];
  const rejected: { name: string; reason: string }[] = [];
  const needReboot: string[] = [];
  const readBack = new Map<string, string>();
  // What the station reports as ReadOnly would only be Rejected: it counts as applied when it
  // already has the value (a fixed cable that stops the transaction anyway), and is not sent.
  const ordinary = all.filter((v) => {
    if (isPassword(v) || mutability(v.name) !== 'ReadOnly') return !isPassword(v);
    const actual = reported.get(v.name.toLowerCase())?.value ?? undefined;
    if (actual !== undefined) readBack.set(v.name, actual);
    if (sameValue(v.value, actual)) {
      applied.push(v.name);
      ctx.log('info', `Variable ${v.name} is read-only on this station and already '${actual}'`);
    } else {
      const reason = `read-only on this station, and it is '${actual ?? ''}'`;
      rejected.push({ name: v.name, reason });
      ctx.log('warn', `Variable ${v.name} was not applied: ${reason} (wanted '${v.value}')`);
    }
    return false;
  });
  if (ordinary.length > 0) {
    const results = await setVariables(ctx, ordinary);
    ordinary.forEach((v, i) => {
      const r = results[i];
      if (r?.attributeStatus === 'Accepted' || r?.attributeStatus === 'RebootRequired') {
        applied.push(v.name);
        if (r.attributeStatus === 'RebootRequired') needReboot.push(v.name);
        return;
      }
      const reason = reasonOf(r);
      ctx.log('warn', `Variable ${v.name} was not applied: SetVariables answered ${reason}`);
      rejected.push({ name: v.name, reason });
    });
  }
  if (needReboot.length > 0) await rebootFor(ctx, needReboot, reset(ctx));

  const check = ordinary.filter((v) => applied.includes(v.name) && mutability(v.name) !== 'WriteOnly');
  if (check.length > 0) {
    ctx.progress('reading the variables back');
    const after = await getVariables(ctx, check);
    check.forEach((v, i) => {
      const r = after[i];
      const actual = r?.attributeStatus === 'Accepted' ? r.attributeValue : undefined;
      if (actual !== undefined) readBack.set(v.name, actual);
      if (sameValue(v.value, actual)) return;
      applied.splice(applied.indexOf(v.name), 1);
      const reason = actual === undefined ? `cannot be read back (${r?.attributeStatus ?? 'no result'})` : `reads back '${actual}'`;
      rejected.push({ name: v.name, reason });
      ctx.log('warn', `Variable ${v.name} was accepted but ${reason} (expected '${v.value}')`);
    });
  }

  const password = all.find(isPassword);
  if (password) {
    // Offered before it is sent: a station that switches at once must find it accepted. 2.0.1
    // sends the password itself, not hex.
    await ctx.link.offerPassword([Buffer.from(password.value, 'utf8')]);
    const [r] = await setVariables(ctx, [password]);
    if (r?.attributeStatus === 'Accepted' || r?.attributeStatus === 'RebootRequired') {
      applied.push(password.name);
      ctx.log('info', `${BASIC_AUTH_PASSWORD} accepted: the station connects with its new password from now on; the old one works until it does`);
      if (r.attributeStatus === 'RebootRequired') await rebootFor(ctx, [password.name], reset(ctx));
      else await switchedPassword(ctx);
    } else {
      ctx.link.withdrawOfferedPassword();
      rejected.push({ name: password.name, reason: reasonOf(r) });
    }
  }
  const writeOnly = all.filter((v) => isPassword(v) || mutability(v.name) === 'WriteOnly').map((v) => v.name);
  return { applied, rejected, readBack, writeOnly };
}

const configuration: ConfigurationAdapter = {
  singular: 'variable',
  noun: 'variables',
  settings: (template) =>
    template.variables.length > 0 || template.configuration.length === 0 ? template.variables.map((v) => ({ name: variableName(refOf(v)), value: v.value, required: v.required })) : null,
  push: (ctx, settings) => push(ctx, settings, ctx.template.variables),
};

// ——— availability ———

const connectorRef = (evse: number, connector: number): ConnectorRef => ({ key: `${evse}/${connector}`, label: `EVSE ${evse} connector ${connector}`, short: `${evse}/${connector}` });

/** The station's EVSEs and their connectors: from its report, else from its StatusNotifications. */
function unitsOf(ctx: StepContext): AvailabilityUnit[] {
  const evses = new Map<number, Set<number>>();
  const add = (evse: number, connector: number): void => {
    if (evse <= 0 || connector <= 0) return;
    evses.set(evse, (evses.get(evse) ?? new Set()).add(connector));
  };
  for (const i of ctx.link.configuration() ?? []) if (i.component === 'Connector' && i.evse_id !== undefined && i.connector_id !== undefined) add(i.evse_id, i.connector_id);
  if (evses.size === 0) for (const c of ctx.link.state()?.connectors.values() ?? []) add(c.evseId, c.connectorId ?? 0);
  if (evses.size === 0) add(1, 1);
  return [...evses.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([evse, connectors]) => ({ label: `EVSE ${evse}`, connectors: [...connectors].sort((a, b) => a - b).map((c) => connectorRef(evse, c)) }));
}

const evseOf = (unit: AvailabilityUnit): number => Number(unit.connectors[0]!.key.split('/')[0]);

const availability: AvailabilityAdapter = {
  units: async (ctx) => unitsOf(ctx),
  triggerStatus(ctx, c) {
    const [id, connectorId] = c.key.split('/').map(Number) as [number, number];
    return statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'StatusNotification', evse: { id, connectorId } }));
  },
  read(request) {
    const r = request as T.StatusNotificationRequest;
    return { key: `${r.evseId}/${r.connectorId}`, status: r.connectorStatus, errorCode: null };
  },
  // Occupied is a plugged-in cable; Reserved still takes its own reservation. Unavailable and
  // Faulted do not work.
  usable: (s) => ['Available', 'Occupied', 'Reserved'].includes(s.status),
  unavailable: 'Unavailable',
  available: 'Available',
  async setOperative(ctx, unit, operative) {
    const answer = await ocpp(ctx).call('ChangeAvailability', { operationalStatus: operative ? 'Operative' : 'Inoperative', evse: { id: evseOf(unit) } });
    return answer.status;
  },
  restoreNow: (ctx, unit) => ocpp(ctx).now('ChangeAvailability', { operationalStatus: 'Operative', evse: { id: evseOf(unit) } }),
};

// ——— transactions ———

/** Energy.Active.Import.Register readings (the default measurand) in Wh, the phase-less ones. */
function registerReadings(values: T.MeterValueType[] | undefined, context?: string): number[] {
  const out: number[] = [];
  for (const mv of values ?? []) {
    for (const s of mv.sampledValue) {
      if ((s.measurand ?? 'Energy.Active.Import.Register') !== 'Energy.Active.Import.Register' || s.phase !== undefined) continue;
      if (context && (s.context ?? 'Sample.Periodic') !== context) continue;
      const unit = s.unitOfMeasure?.unit ?? 'Wh';
      const scaled = s.value * 10 ** (s.unitOfMeasure?.multiplier ?? 0);
      if (Number.isFinite(scaled)) out.push(unit === 'kWh' ? scaled * 1000 : scaled);
    }
  }
  return out;
}

const ofTransaction = (id: string) => (request: unknown): boolean => (request as T.TransactionEventRequest).transactionInfo.transactionId === id;

/** Transactions the station ended on its own while the test ran (EV unplugged, a timeout, a fault). */
const endedByStation = new WeakMap<StartedTransaction, T.TransactionEventRequest>();

const transactions: TransactionAdapter = {
  async start(ctx, settings) {
    if (ctx.link.state()?.registration === 'Pending') return { ok: false, detail: 'The station is Pending: it may not start a transaction until it is registered (B02.FR.05)' };
    const evseId = settings.evse_id ?? settings.connector_id;
    const remoteStartId = randomInt(1, 2 ** 31 - 1);
    const waitMs = ctx.settings.transactionWaitMs;
    // The remoteStartId comes back in the next TransactionEvent: Started, or Updated when the
    // transaction had begun before (cable first) (F02.FR.01).
    const started = ctx.expect<T.TransactionEventRequest>('TransactionEvent', (r) => r.transactionInfo.remoteStartId === remoteStartId && r.eventType !== 'Ended', waitMs);
    ctx.progress(`RequestStartTransaction on EVSE ${evseId}`);
    const idToken = { idToken: settings.id_tag, type: settings.id_token_type };
    // Not repeated after a disconnect: a second request could start a second transaction.
    const answer = await statusOrCallError(ocpp(ctx).call('RequestStartTransaction', { idToken, remoteStartId, evseId }, { retry: false }));
    if (answer !== 'Accepted') return { ok: false, detail: `RequestStartTransaction answered ${answer} by the station` };
    ctx.progress('waiting for TransactionEvent with its remoteStartId');
    const event = await started;
    if (!event) return { ok: false, detail: `RequestStartTransaction accepted but no TransactionEvent with remoteStartId ${remoteStartId} within ${waitMs / 1000} s` };
    const begin = registerReadings(event.request.meterValue, 'Transaction.Begin');
    const any = registerReadings(event.request.meterValue);
    return { ok: true, transaction: { id: event.request.transactionInfo.transactionId, meterStartWh: begin[0] ?? any[0] ?? null } };
  },
  onReadings(ctx, transaction, listener) {
    const mine = ofTransaction(transaction.id);
    return ctx.link.onCall((action, request) => {
      const r = request as T.TransactionEventRequest;
      if (action !== 'TransactionEvent' || !mine(r)) return;
      if (r.eventType === 'Ended') {
        endedByStation.set(transaction, r);
        return;
      }
      for (const mv of r.meterValue ?? []) listener(registerReadings([mv]));
    });
  },
  async triggerReadings(ctx, transaction, settings) {
    const mine = ofTransaction(transaction.id);
    const triggered = ctx.expect<T.TransactionEventRequest>('TransactionEvent', (r) => mine(r) && r.triggerReason === 'Trigger', ctx.settings.triggerWaitMs);
    // Named by its EVSE: the transaction's, not every one the station has (F06.FR.07).
    const evse = { id: settings.evse_id ?? settings.connector_id };
    const status = await statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'TransactionEvent', evse }));
    return status === 'Accepted' && (await triggered) !== null;
  },
  async stop(ctx, transaction) {
    const early = endedByStation.get(transaction);
    if (early) return endedByChargePoint(transaction.id, `${early.transactionInfo.stoppedReason ?? 'no stoppedReason given'}, trigger ${early.triggerReason}`);
    const waitMs = ctx.settings.transactionWaitMs;
    const mine = ofTransaction(transaction.id);
    const ended = ctx.expect<T.TransactionEventRequest>('TransactionEvent', (r) => mine(r) && r.eventType === 'Ended', waitMs);
    const answer = await statusOrCallError(ocpp(ctx).call('RequestStopTransaction', { transactionId: transaction.id }));
    if (answer !== 'Accepted') return { ok: false, detail: `RequestStopTransaction answered ${answer}; transaction ${transaction.id} may still be running` };
    const end = await ended;
    if (!end) return { ok: false, detail: `RequestStopTransaction accepted but no TransactionEvent(Ended) within ${waitMs / 1000} s` };
    const atEnd = registerReadings(end.request.meterValue, 'Transaction.End');
    const readings = registerReadings(end.request.meterValue);
    return { ok: true, meterStopWh: atEnd[atEnd.length - 1] ?? readings[readings.length - 1] ?? null, readings };
  },
  stopNow: (ctx, transaction) => ocpp(ctx).now('RequestStopTransaction', { transactionId: transaction.id }),
};

// ——— boot ———

async function triggeredBoot(ctx: StepContext): Promise<{ status: string; booted: boolean }> {
  const waitMs = ctx.settings.triggerWaitMs * 5;
  const boot = ctx.expect('BootNotification', () => true, waitMs);
  const status = await statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'BootNotification' }));
  return { status, booted: status === 'Accepted' && (await boot) !== null };
}

/**
 * 2.0.1 UpdateFirmware (L01/L02): requestId, firmware.location and retrieveDateTime, with the
 * signature and signing certificate when the image is signed. Notifications name the requestId.
 */
const firmware201: FirmwareAdapter = {
  async update(cp, order) {
    const request: T.UpdateFirmwareRequest = {
      requestId: order.requestId,
      firmware: {
        location: order.location,
        retrieveDateTime: order.retrieveAt.toISOString(),
        ...(order.signature !== undefined && { signature: order.signature }),
        ...(order.signingCertificate !== undefined && { signingCertificate: order.signingCertificate }),
      },
    };
    const answer = (await cp.callAny('UpdateFirmware', request)) as T.UpdateFirmwareResponse;
    if (answer.status === 'Accepted' || answer.status === 'AcceptedCanceled') return { ok: true };
    const reason = answer.statusInfo?.reasonCode ? ` (${answer.statusInfo.reasonCode})` : '';
    return { ok: false, detail: `UpdateFirmware answered ${answer.status}${reason}` };
  },
  read(notification, requestId) {
    const n = notification as T.FirmwareStatusNotificationRequest;
    return firmwareStatus(
      { installed: ['Installed'], failed: ['DownloadFailed', 'InstallationFailed', 'InstallVerificationFailed', 'InvalidSignature'] },
      n.status,
      n.requestId === undefined || n.requestId === requestId,
    );
  },
};

/** 2.0.1 GetLog (N01) of its DiagnosticsLog; LogStatusNotification names the requestId. */
const diagnostics201: DiagnosticsAdapter = {
  notification: 'LogStatusNotification',
  async request(cp, order) {
    const request: T.GetLogRequest = { logType: 'DiagnosticsLog', requestId: order.requestId, log: { remoteLocation: order.location } };
    const answer = (await cp.callAny('GetLog', request)) as T.GetLogResponse;
    if (answer.status === 'Rejected') return { ok: false, detail: `GetLog answered Rejected${answer.statusInfo?.reasonCode ? ` (${answer.statusInfo.reasonCode})` : ''}` };
    return { ok: true, fileName: answer.filename ?? null };
  },
  read(notification, requestId) {
    const n = notification as T.LogStatusNotificationRequest;
    const failed = ['BadMessage', 'NotSupportedOperation', 'PermissionDenied', 'UploadFailure', 'AcceptedCanceled'];
    const stage = n.status === 'Uploaded' ? 'uploaded' : failed.includes(n.status) ? 'failed' : n.status === 'Idle' ? 'idle' : 'progress';
    return { status: n.status, stage, ours: n.requestId === undefined || n.requestId === requestId };
  },
};

export const ocpp201Adapter: ProtocolAdapter = {
  firmware: firmware201,
  diagnostics: diagnostics201,
  version: '2.0.1',
  boot: {
    /**
     * A 2.0.1 station reconnecting need not boot again (Part 4 §5.3): one that booted here before
     * is taken as registered. One this server has never seen booting is asked with
     * TriggerMessage(BootNotification), which it refuses if it counts itself registered
     * elsewhere (F06.FR.17).
     */
    async ensureBooted(ctx) {
      const registration = ctx.link.state()?.registration;
      if (registration === 'Accepted' || registration === 'Pending') return { ok: true };
      const known = ctx.link.identity();
      if (known) return { ok: true, note: `reconnected without a BootNotification, as OCPP 2.0.1 stations may; identity from its boot of ${known.at}` };
      ctx.log('warn', 'Connected without a BootNotification, and none was ever seen here; asking for one (TriggerMessage)');
      const { status, booted } = await triggeredBoot(ctx);
      if (booted) return { ok: true };
      if (status === 'Rejected') return { ok: false, detail: 'Connected without a BootNotification, and TriggerMessage(BootNotification) was Rejected: the station counts itself registered already (with another CSMS?). Restart it so that it boots here' };
      return { ok: false, detail: `Connected without a BootNotification; TriggerMessage(BootNotification) was answered ${status}${status === 'Accepted' ? ' but none came' : ''}` };
    },
    async acceptPending(ctx) {
      ctx.link.markConfigured();
      const { status, booted } = await triggeredBoot(ctx);
      if (status !== 'Accepted') return { ok: false, detail: `TriggerMessage(BootNotification) answered ${status}` };
      if (!booted || ctx.link.state()?.registration !== 'Accepted') return { ok: false, detail: 'no accepted BootNotification after TriggerMessage' };
      return { ok: true };
    },
  },
  heartbeat: {
    trigger: (ctx) => statusOrCallError(ocpp(ctx).call('TriggerMessage', { requestedMessage: 'Heartbeat' })),
    // TriggerMessage is core in 2.0.1: a station that cannot do it answers NotImplemented.
    canTrigger: async () => true,
    async interval(ctx) {
      const n = Number.parseInt((await oneValue(ctx, { component: 'OCPPCommCtrlr', variable: 'HeartbeatInterval' })) ?? '', 10);
      return Number.isFinite(n) ? n : null;
    },
  },
  configuration,
  availability,
  transactions,
};
