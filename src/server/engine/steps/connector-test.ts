import type { StatusNotificationRequest } from '../../../ocpp/ocpp16.js';
import type { StepContext } from '../step-context.js';
import { failed, passed, statusOrCallError, type StepOutcome } from './outcome.js';

type Status = StatusNotificationRequest['status'];

/** Statuses of a connector that works; Unavailable and Faulted do not. */
const USABLE: readonly Status[] = ['Available', 'Preparing', 'Charging', 'SuspendedEV', 'SuspendedEVSE', 'Finishing', 'Reserved'];

const isConnector = (c: number) => (r: StatusNotificationRequest) => r.connectorId === c;

/**
 * Every connector reports a usable status (asked with TriggerMessage where the charge point
 * supports it, otherwise the last one it sent), then ChangeAvailability Inoperative → Operative
 * round-trips on each, confirmed by StatusNotification both ways.
 */
export async function connectorTest(ctx: StepContext): Promise<StepOutcome> {
  const config = await ctx.call('GetConfiguration', { key: ['NumberOfConnectors'] });
  const reported = Number.parseInt(config.configurationKey?.find((k) => k.key === 'NumberOfConnectors')?.value ?? '', 10);
  const seen = [...(ctx.link.state()?.connectors.keys() ?? [])].filter((c) => c > 0);
  const count = Number.isFinite(reported) && reported > 0 ? reported : Math.max(1, ...seen);
  const trigger = await ctx.supportsTrigger();
  const wait = ctx.settings.statusWaitMs;

  const statuses: string[] = [];
  for (let c = 1; c <= count; c += 1) {
    ctx.progress(`status of connector ${c}`);
    let report: StatusNotificationRequest | undefined;
    if (trigger) {
      const next = ctx.expect<StatusNotificationRequest>('StatusNotification', isConnector(c), wait);
      const answer = await statusOrCallError(ctx.call('TriggerMessage', { requestedMessage: 'StatusNotification', connectorId: c }));
      if (answer === 'Accepted') report = (await next)?.request;
      else ctx.log('warn', `TriggerMessage(StatusNotification) for connector ${c} answered ${answer}; using the last status it sent`);
    }
    report ??= ctx.link.state()?.connectors.get(c);
    if (!report) return failed(`Connector ${c} never reported its status`);
    if (!USABLE.includes(report.status)) {
      const error = report.errorCode !== 'NoError' ? `, ${report.errorCode}` : '';
      return failed(`Connector ${c} reports ${report.status}${error}`);
    }
    statuses.push(`${c}: ${report.status}`);
  }

  for (let c = 1; c <= count; c += 1) {
    ctx.progress(`availability round-trip on connector ${c}`);
    const restore = ctx.onCleanup(() => ctx.callNow('ChangeAvailability', { connectorId: c, type: 'Operative' }));
    const down = ctx.expect<StatusNotificationRequest>('StatusNotification', (r) => r.connectorId === c && r.status === 'Unavailable', wait);
    const inoperative = await ctx.call('ChangeAvailability', { connectorId: c, type: 'Inoperative' });
    if (inoperative.status !== 'Accepted') return failed(`Connector ${c}: ChangeAvailability(Inoperative) answered ${inoperative.status}`);
    if (!(await down)) return failed(`Connector ${c} accepted Inoperative but did not report Unavailable within ${wait / 1000} s`);
    const up = ctx.expect<StatusNotificationRequest>('StatusNotification', (r) => r.connectorId === c && r.status === 'Available', wait);
    const operative = await ctx.call('ChangeAvailability', { connectorId: c, type: 'Operative' });
    if (operative.status !== 'Accepted') return failed(`Connector ${c}: ChangeAvailability(Operative) answered ${operative.status}`);
    restore();
    if (!(await up)) return failed(`Connector ${c} accepted Operative but did not report Available within ${wait / 1000} s`);
  }
  return passed(`${count} connector${count > 1 ? 's' : ''} usable (${statuses.join(', ')}); Inoperative → Operative round-trip confirmed on each`);
}
