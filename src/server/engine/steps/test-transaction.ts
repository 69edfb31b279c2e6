import { transactionLine } from '../../../api/session-facts.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/** Meter readings kept for the checks and the fact line; the lowest and highest are tracked over all of them. */
const MAX_READINGS = 10_000;

/** More than any charger delivers (the largest are a few hundred kW). */
const MAX_PLAUSIBLE_POWER_W = 1_000_000;

/** What is wrong with a transaction's register readings (in the order they came), if anything. */
function meterFault(start: number, readings: number[], stop: number, elapsedMs: number): string | null {
  const all = [start, ...readings, stop];
  const negative = all.find((wh) => wh < 0);
  if (negative !== undefined) return `The energy register reads a negative value (${negative} Wh): a meter fault`;
  for (let i = 1; i < all.length; i += 1) {
    if (all[i]! < all[i - 1]!) return `The energy register ran backwards, from ${all[i - 1]} Wh to ${all[i]} Wh: a meter fault`;
  }
  const ceiling = (MAX_PLAUSIBLE_POWER_W * elapsedMs) / 3_600_000;
  if (stop - start > ceiling + 1) return `The energy register counted ${stop - start} Wh in ${Math.round(elapsedMs / 1000)} s, more than 1 MW could deliver: a meter fault (or a register in kWh reported as Wh)`;
  return null;
}

/**
 * A test transaction started remotely, charging for the template's duration, stopped remotely,
 * with the energy delivered worked out from the charge point's energy register. 0 Wh passes with
 * a warning (a short test on a cold car can deliver nothing); below the template's minimum fails.
 * A transaction left running by a step that ends early is stopped. The register is cumulative:
 * one that reads negative, runs backwards, or counts more than a megawatt could have delivered
 * meanwhile is a meter fault, and fails the step rather than pass it with made-up kWh.
 */
export async function testTransaction(ctx: StepContext): Promise<StepOutcome> {
  const p = ctx.protocol.transactions;
  const settings = { ...ctx.template.test_transaction, ...ctx.settings.testTransaction };
  const started = await p.start(ctx, settings);
  if (!started.ok) return failed(started.detail);
  const { transaction } = started;
  const stopLater = ctx.onCleanup(() => p.stopNow(ctx, transaction));
  const startedAt = Date.now();
  ctx.log('info', `Transaction ${transaction.id} started${transaction.meterStartWh === null ? '' : ` (meter ${transaction.meterStartWh} Wh)`}`);

  const readings: number[] = [];
  let samples = 0;
  let lowest = Infinity;
  let highest = -Infinity;
  const stopListening = p.onReadings(ctx, transaction, (wh) => {
    samples += 1;
    for (const r of wh) {
      lowest = Math.min(lowest, r);
      highest = Math.max(highest, r);
      // An honest charger sends a few a second; a flooding one must not grow the step without bound.
      if (readings.length < MAX_READINGS) readings.push(r);
    }
  });
  try {
    // Counted a second at a time, with the energy so far: the installer beside the charger sees
    // it deliver, not a fixed sentence for the whole wait. Running time: a pause holds the count.
    for (let s = 0; s < settings.duration_seconds; s += 1) {
      const from = transaction.meterStartWh ?? lowest;
      const soFar = readings.length > 0 ? `, ${Number(((highest - from) / 1000).toFixed(3))} kWh so far` : '';
      ctx.progress(`charging: ${s} of ${settings.duration_seconds} s${soFar} (transaction ${transaction.id})`);
      await ctx.sleep(Math.min(1000, settings.duration_seconds * 1000 - s * 1000));
    }
    if (samples === 0 && !(await p.triggerReadings(ctx, transaction, settings))) ctx.log('warn', 'No MeterValues during the test transaction');

    ctx.progress(`stopping transaction ${transaction.id}`);
    const ended = await p.stop(ctx, transaction);
    if (!ended.ok) return failed(ended.detail);
    stopLater();

    const all = [...readings, ...ended.readings];
    const start = transaction.meterStartWh ?? (readings.length > 0 ? lowest : null);
    const stop = ended.meterStopWh ?? (all.length > 0 ? Math.max(...all) : null);
    if (start === null || stop === null) return failed(`Transaction ${transaction.id} ended, but the charge point reported no energy register at its ${start === null ? 'start' : 'end'}`);
    const fault = meterFault(start, readings, stop, Date.now() - startedAt);
    if (fault) return failed(`Test transaction ${transaction.id}: ${fault}`);
    const energyWh = stop - start;
    if (all.length >= 2) {
      const metered = Math.max(...all) - Math.min(...all);
      if (metered > energyWh + 1) ctx.warn(`MeterValues show ${metered} Wh but the transaction's start and end registers differ by ${energyWh} Wh`);
    }
    ctx.log('info', transactionLine({ transaction_id: transaction.id, meter_start_wh: start, meter_stop_wh: stop, energy_wh: energyWh, meter_readings: samples, readings_wh: all, charging_s: settings.duration_seconds }));
    const kwh = `${Number((energyWh / 1000).toFixed(3))} kWh delivered (${energyWh} Wh, ${samples} meter reading${samples === 1 ? '' : 's'})`;
    if (energyWh < settings.min_energy_wh) return failed(`Test transaction ${transaction.id}: ${kwh}, below the template's minimum of ${settings.min_energy_wh} Wh`);
    if (energyWh === 0) ctx.warn(`Transaction ${transaction.id} delivered 0 Wh (the energy register did not move)`);
    return passed(`Test transaction ${transaction.id} completed, ${kwh}`);
  } finally {
    stopListening();
  }
}
