import type { MeterValuesRequest, StartTransactionRequest, StartTransactionResponse, StopTransactionRequest } from '../../../ocpp/ocpp16.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, statusOrCallError, type StepOutcome } from './outcome.js';

type MeterValue = MeterValuesRequest['meterValue'][number];

/** Energy.Active.Import.Register readings in Wh. */
function registerReadings(values: MeterValue[]): number[] {
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

/**
 * RemoteStartTransaction → StartTransaction → MeterValues → RemoteStopTransaction →
 * StopTransaction, reporting the energy delivered. 0 Wh only warns (a short test on a cold car
 * can deliver nothing); below the template's minimum fails.
 */
export async function testTransaction(ctx: StepContext): Promise<StepOutcome> {
  const settings = { ...ctx.template.test_transaction, ...ctx.settings.testTransaction };
  const { connector_id: connectorId, id_tag: idTag } = settings;
  const waitMs = ctx.settings.transactionWaitMs;

  const started = ctx.expect<StartTransactionRequest, StartTransactionResponse>(
    'StartTransaction',
    (r) => r.connectorId === connectorId && r.idTag === idTag,
    waitMs,
  );
  ctx.progress(`RemoteStartTransaction on connector ${connectorId}`);
  // Not repeated after a disconnect: a second RemoteStart could start a second transaction.
  const answer = await statusOrCallError(ctx.call('RemoteStartTransaction', { connectorId, idTag }, { retry: false }));
  if (answer !== 'Accepted') return failed(`RemoteStartTransaction answered ${answer} by the charge point`);
  ctx.progress('waiting for StartTransaction');
  const start = await started;
  if (!start) return failed(`RemoteStartTransaction accepted but no StartTransaction within ${waitMs / 1000} s`);
  const transactionId = start.response.transactionId;
  const stopLater = ctx.onCleanup(() => ctx.callNow('RemoteStopTransaction', { transactionId }));
  ctx.log('info', `Transaction ${transactionId} started on connector ${connectorId} (meterStart ${start.request.meterStart} Wh)`);

  const samples: MeterValue[] = [];
  const stopListening = ctx.link.onCall((action, request) => {
    const r = request as MeterValuesRequest;
    if (action === 'MeterValues' && r.transactionId === transactionId) samples.push(...r.meterValue);
  });
  try {
    ctx.progress(`charging for ${settings.duration_seconds} s (transaction ${transactionId})`);
    await ctx.sleep(settings.duration_seconds * 1000);
    if (samples.length === 0 && (await ctx.supportsTrigger())) {
      const triggered = ctx.expect<MeterValuesRequest>('MeterValues', (r) => r.connectorId === connectorId, ctx.settings.triggerWaitMs);
      const status = await statusOrCallError(ctx.call('TriggerMessage', { requestedMessage: 'MeterValues', connectorId }));
      if (status !== 'Accepted' || !(await triggered)) ctx.log('warn', 'No MeterValues during the test transaction');
    }

    ctx.progress(`RemoteStopTransaction ${transactionId}`);
    const stopped = ctx.expect<StopTransactionRequest>('StopTransaction', (r) => r.transactionId === transactionId, waitMs);
    const stopAnswer = await statusOrCallError(ctx.call('RemoteStopTransaction', { transactionId }));
    if (stopAnswer !== 'Accepted') return failed(`RemoteStopTransaction answered ${stopAnswer}; transaction ${transactionId} may still be running`);
    const stop = await stopped;
    if (!stop) return failed(`RemoteStopTransaction accepted but no StopTransaction within ${waitMs / 1000} s`);
    stopLater();

    const readings = registerReadings([...samples, ...(stop.request.transactionData ?? [])]);
    const energyWh = stop.request.meterStop - start.request.meterStart;
    if (energyWh < 0) return failed(`meterStop (${stop.request.meterStop} Wh) is below meterStart (${start.request.meterStart} Wh)`);
    if (readings.length >= 2) {
      const metered = Math.max(...readings) - Math.min(...readings);
      if (metered > energyWh + 1) ctx.log('warn', `MeterValues show ${metered} Wh but meterStop − meterStart is ${energyWh} Wh`);
    }
    const kwh = `${Number((energyWh / 1000).toFixed(3))} kWh delivered (${energyWh} Wh, ${samples.length} meter reading${samples.length === 1 ? '' : 's'})`;
    if (energyWh < settings.min_energy_wh) return failed(`Test transaction ${transactionId}: ${kwh}, below the template's minimum of ${settings.min_energy_wh} Wh`);
    if (energyWh === 0) ctx.log('warn', `Transaction ${transactionId} delivered 0 Wh (meterStop equals meterStart)`);
    return passed(`Test transaction ${transactionId} completed, ${kwh}`);
  } finally {
    stopListening();
  }
}
