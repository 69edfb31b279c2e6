import type { StartRequest } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { followSession } from './follow.js';

export interface StartOptions {
  chargePointId: string;
  templateId?: string | undefined;
  skipTestTransaction: boolean;
  wait: boolean;
  /** `dynamo restart`: discard the current session and start a new one. */
  restart?: boolean;
}

export async function run(ctx: CliContext, o: StartOptions): Promise<number> {
  const client = await ctx.client();
  try {
    const body: StartRequest = {};
    if (o.templateId) body.template_id = o.templateId;
    if (o.skipTestTransaction) body.skip_test_transaction = true;
    const started = o.restart ? await client.restart(o.chargePointId, o.templateId) : await client.start(o.chargePointId, body);
    if (ctx.interactive) return await followSession(ctx, client, o.chargePointId, null);
    if (ctx.out.json) {
      if (!o.wait) {
        ctx.out.document(started);
        return 0;
      }
      ctx.out.ndjson(started);
    } else {
      ctx.out.info(
        `Session ${started.session_id} ${o.restart ? 'restarted' : 'started'} for ${started.charge_point_id}: ${started.steps.map((s) => s.name).join(' → ')} (about ${started.estimated_duration_seconds} s)`,
      );
      if (!o.wait) ctx.out.info(`Follow it with: dynamo status ${o.chargePointId} --watch`);
    }
    return o.wait ? await followSession(ctx, client, o.chargePointId, null) : 0;
  } finally {
    await client.close();
  }
}
