import type { ConnectorRef } from '../protocol/adapter.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, type StepOutcome } from './outcome.js';

/**
 * Every connector reports a usable status (asked for with TriggerMessage where the charge point
 * takes it, otherwise the last one it sent), then ChangeAvailability Inoperative → Operative
 * round-trips on each connector (1.6) or EVSE (2.0.1), confirmed by StatusNotification both ways
 * for each of its connectors. A connector left inoperative is made operative again however the
 * step ends.
 */
export async function connectorTest(ctx: StepContext): Promise<StepOutcome> {
  const p = ctx.protocol.availability;
  const units = await p.units(ctx);
  const connectors = units.flatMap((u) => u.connectors);
  if (connectors.length === 0) return failed('The charge point reports no connectors');
  const trigger = await ctx.protocol.heartbeat.canTrigger(ctx);
  const wait = ctx.settings.statusWaitMs;
  const reporting = (c: ConnectorRef, status?: string) => (request: unknown) => {
    const r = p.read(request);
    return r.key === c.key && (status === undefined || r.status === status);
  };

  const statuses: string[] = [];
  for (const c of connectors) {
    ctx.progress(`status of ${c.label}`);
    let report: { status: string; errorCode: string | null } | undefined;
    if (trigger) {
      const next = ctx.expect('StatusNotification', reporting(c), wait);
      const answer = await p.triggerStatus(ctx, c);
      if (answer === 'Accepted') {
        const got = await next;
        if (got) report = p.read(got.request);
      } else ctx.log('warn', `TriggerMessage(StatusNotification) for ${c.label} answered ${answer}; using the last status it sent`);
    }
    report ??= ctx.link.state()?.connectors.get(c.key);
    if (!report) return failed(`${capital(c.label)} never reported its status`);
    if (!p.usable(report)) return failed(`${capital(c.label)} reports ${report.status}${report.errorCode && report.errorCode !== 'NoError' ? `, ${report.errorCode}` : ''}`);
    statuses.push(`${c.short}: ${report.status}`);
  }

  for (const unit of units) {
    ctx.progress(`availability round-trip on ${unit.label}`);
    const restore = ctx.onCleanup(() => p.restoreNow(ctx, unit));
    const down = unit.connectors.map((c) => ctx.expect('StatusNotification', reporting(c, p.unavailable), wait));
    const inoperative = await p.setOperative(ctx, unit, false);
    if (inoperative !== 'Accepted') return failed(`${capital(unit.label)}: ChangeAvailability(Inoperative) answered ${inoperative}`);
    for (const [i, c] of unit.connectors.entries()) {
      if (!(await down[i])) return failed(`${capital(unit.label)} accepted Inoperative but ${c.label} did not report ${p.unavailable} within ${wait / 1000} s`);
    }
    const up = unit.connectors.map((c) => ctx.expect('StatusNotification', reporting(c, p.available), wait));
    const operative = await p.setOperative(ctx, unit, true);
    if (operative !== 'Accepted') return failed(`${capital(unit.label)}: ChangeAvailability(Operative) answered ${operative}`);
    restore();
    for (const [i, c] of unit.connectors.entries()) {
      if (!(await up[i])) return failed(`${capital(unit.label)} accepted Operative but ${c.label} did not report ${p.available} within ${wait / 1000} s`);
    }
  }
  const n = connectors.length;
  return passed(`${n} connector${n > 1 ? 's' : ''} usable (${statuses.join(', ')}); Inoperative → Operative round-trip confirmed on each${units.length === n ? '' : ' EVSE'}`);
}

const capital = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
