import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/**
 * A test transaction started remotely, charging for the template's duration, stopped remotely,
 * with the energy delivered worked out from the charge point's energy register. 0 Wh passes with
 * a warning (a short test on a cold car can deliver nothing); below the template's minimum fails.
 * A transaction left running by a step that ends early is stopped.
 */
export async function testTransaction(ctx: StepContext): Promise<StepOutcome> {
  const p = ctx.protocol.transactions;
  const settings = { ...ctx.template.test_transaction, ...ctx.settings.testTransaction };
  const started = await p.start(ctx, settings);
  if (!started.ok) return failed(started.detail);
  const { transaction } = started;
  const stopLater = ctx.onCleanup(() => p.stopNow(ctx, transaction));
  ctx.log('info', `Transaction ${transaction.id} started${transaction.meterStartWh === null ? '' : ` (meter ${transaction.meterStartWh} Wh)`}`);

  const readings: number[] = [];
  let samples = 0;
  const stopListening = p.onReadings(ctx, transaction, (wh) => {
    samples += 1;
    readings.push(...wh);
  });
  try {
    ctx.progress(`charging for ${settings.duration_seconds} s (transaction ${transaction.id})`);
    await ctx.sleep(settings.duration_seconds * 1000);
    if (samples === 0 && !(await p.triggerReadings(ctx, transaction, settings))) ctx.log('warn', 'No MeterValues during the test transaction');

    ctx.progress(`stopping transaction ${transaction.id}`);
    const ended = await p.stop(ctx, transaction);
    if (!ended.ok) return failed(ended.detail);
    stopLater();

    const all = [...readings, ...ended.readings];
    const start = transaction.meterStartWh ?? (readings.length > 0 ? Math.min(...readings) : null);
    const stop = ended.meterStopWh ?? (all.length > 0 ? Math.max(...all) : null);
    if (start === null || stop === null) return failed(`Transaction ${transaction.id} ended, but the charge point reported no energy register at its ${start === null ? 'start' : 'end'}`);
    const energyWh = stop - start;
    if (energyWh < 0) return failed(`The energy register at the end (${stop} Wh) is below the one at the start (${start} Wh)`);
    if (all.length >= 2) {
      const metered = Math.max(...all) - Math.min(...all);
      if (metered > energyWh + 1) ctx.log('warn', `MeterValues show ${metered} Wh but the transaction's start and end registers differ by ${energyWh} Wh`);
    }
    const kwh = `${Number((energyWh / 1000).toFixed(3))} kWh delivered (${energyWh} Wh, ${samples} meter reading${samples === 1 ? '' : 's'})`;
    if (energyWh < settings.min_energy_wh) return failed(`Test transaction ${transaction.id}: ${kwh}, below the template's minimum of ${settings.min_energy_wh} Wh`);
    if (energyWh === 0) ctx.warn(`Transaction ${transaction.id} delivered 0 Wh (the energy register did not move)`);
    return passed(`Test transaction ${transaction.id} completed, ${kwh}`);
  } finally {
    stopListening();
  }
}
