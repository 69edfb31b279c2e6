import type { CliContext } from '../../context.js';
import { humanTime } from '../../time-format.js';

export interface ControlOptions {
  chargePointId: string;
  action: 'pause' | 'resume' | 'stop';
}

export async function run(ctx: CliContext, o: ControlOptions): Promise<number> {
  const client = await ctx.client();
  try {
    const cp = o.chargePointId;
    if (o.action === 'pause') {
      const r = await client.pause(cp);
      if (ctx.out.json) ctx.out.document(r);
      else ctx.out.info(`${ctx.theme.mark('paused')}${cp}: session ${r.session_id} paused${r.paused_at_step ? ` at ${r.paused_at_step}` : ''} (an OCPP call already sent completes first)`);
    } else if (o.action === 'resume') {
      const r = await client.resume(cp);
      if (ctx.out.json) ctx.out.document(r);
      else ctx.out.info(`${ctx.theme.mark('running')}${cp}: session ${r.session_id} resumed${r.resuming_at_step ? ` at ${r.resuming_at_step}` : ''}`);
    } else {
      const r = await client.stop(cp);
      if (ctx.out.json) ctx.out.document(r);
      else ctx.out.info(`${ctx.theme.mark('stopped')}${cp}: session ${r.session_id} stopped at ${humanTime(r.stopped_at)}`);
    }
    return 0;
  } finally {
    await client.close();
  }
}
