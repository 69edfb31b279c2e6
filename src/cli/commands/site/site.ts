import type { LocalChargePoint, StatusResponse } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { isFinished } from '../../session-format.js';
import { shellWord } from '../../../common/shell-word.js';
import { reasonOf } from '../../site/site-run.js';
import { isPending, latestSessions, passedSession, siteList } from '../../site/targets.js';
import { table } from '../../table.js';

/** A failure's detail in a table cell; --json has it whole. */
const short = (text: string): string => (text.length > 48 ? `${text.slice(0, 47)}…` : text);

export type SiteState = 'offline' | 'ready' | 'running' | 'paused' | 'failed' | 'stopped' | 'passed' | 'commissioned';

/** What to do next for a charge point: in words, and as the command to type (null: nothing to type). */
export interface NextStep {
  action: 'connect' | 'start' | 'watch' | 'look' | 'commission' | null;
  text: string;
  command: string | null;
}

function stateOf(cp: LocalChargePoint, s: StatusResponse | null): SiteState {
  if (cp.commissioned) return 'commissioned';
  if (s && !isFinished(s)) return s.status === 'paused' ? 'paused' : 'running';
  if (!cp.connected) return 'offline';
  if (passedSession(s)) return 'passed';
  if (s) return s.status === 'stopped' ? 'stopped' : 'failed';
  return 'ready';
}

function nextStep(ctx: CliContext, cp: LocalChargePoint, state: SiteState, ocppUrl: string): NextStep {
  const id = shellWord(cp.id);
  switch (state) {
    case 'offline':
      return cp.last_refusal
        ? { action: 'connect', text: `connect it: it was refused (${cp.last_refusal.reason}); check its Charge Point ID and password`, command: ctx.command('local cp list') }
        : { action: 'connect', text: `connect it: Central System URL ${ocppUrl}, Charge Point ID ${cp.id}`, command: null };
    case 'ready':
      return { action: 'start', text: 'start it', command: ctx.command(`start ${id}`) };
    case 'running':
    case 'paused':
      return { action: 'watch', text: 'watch it', command: ctx.command(`status ${id} --watch`) };
    case 'failed':
    case 'stopped':
      return { action: 'look', text: 'look at its failure, then restart it', command: ctx.command(`logs ${id} --min-level warn`) };
    case 'passed':
      return { action: 'commission', text: 'commission it', command: ctx.command(`commission ${id}`) };
    default:
      return { action: null, text: 'done', command: null };
  }
}

/**
 * `dynamo site`: every charge point of the local server at a glance, its latest session, and
 * what to do next for each as a command that works as printed. The hosted API has no list of
 * charge points, so this needs the local server.
 */
export async function run(ctx: CliContext): Promise<number> {
  const client = await ctx.client();
  try {
    const list = await siteList(client);
    if (list === null) throw new UsageError("dynamo site needs the local server's list of charge points, and this API has none (the hosted API lists no charge points)", 'use --local, or dynamo status <cp> per charge point');
    const latest = await latestSessions(client, list.map((cp) => cp.id));
    const ocppUrl = ctx.local ? (ctx.localServer().ocpp_urls[0] ?? 'ws://<this laptop>:9000/ocpp') : 'ws://<this laptop>:9000/ocpp';
    const entries = list.map((cp) => {
      const session = latest.get(cp.id) ?? null;
      const state = stateOf(cp, session);
      return {
        id: cp.id,
        model: cp.model,
        vendor: cp.vendor,
        ocpp_version: cp.ocpp_version,
        connected: cp.connected,
        commissioned: cp.commissioned,
        pending: isPending(cp, session),
        state,
        session: session && { session_id: session.session_id, status: session.status, result: session.result, reason: isFinished(session) ? reasonOf(session) : null },
        next: nextStep(ctx, cp, state, ocppUrl),
      };
    });
    if (ctx.out.json) {
      ctx.out.document({ charge_points: entries, total: entries.length });
      return 0;
    }
    if (entries.length === 0) {
      ctx.out.info(`No charge points yet: ${ctx.command('local cp add <id>')}`);
      return 0;
    }
    const rows = entries.map((e) => [e.id, e.model ?? '-', e.ocpp_version ?? '-', e.connected ? 'online' : 'offline', e.state, short(e.session?.reason ?? ''), e.next.command ?? e.next.text]);
    for (const line of table(ctx.theme, ['CHARGE POINT', 'MODEL', 'OCPP', 'LINK', 'STATE', 'WHY', 'NEXT'], rows)) ctx.out.line(line);
    const pending = entries.filter((e) => e.pending).length;
    if (pending > 1) ctx.out.info(`\n${pending} pending; start them all: ${ctx.command('start --all-pending')}`);
    return 0;
  } finally {
    await client.close();
  }
}
