import type { StartRequest } from '../../../api/contract.js';
import type { CliContext } from '../../context.js';
import { shellWord } from '../../../common/shell-word.js';
import { followSession } from './follow.js';
import { startOrRecommission } from './recommission.js';
import { sayTemplateChoice } from './template-choice.js';

export interface StartOptions {
  chargePointId: string;
  templateId?: string | undefined;
  skipTestTransaction: boolean;
  wait: boolean;
  /** `dynamo restart`: discard the current session and start a new one. */
  restart?: boolean;
  /** Commission a commissioned charge point again (asked first, or --yes). */
  recommission?: boolean;
  yes?: boolean;
}

export async function run(ctx: CliContext, o: StartOptions): Promise<number> {
  const client = await ctx.client();
  try {
    const body: StartRequest = {};
    if (o.templateId) body.template_id = o.templateId;
    if (o.skipTestTransaction) body.skip_test_transaction = true;
    const started = await startOrRecommission(ctx, client, o, body);
    sayTemplateChoice(ctx, started);
    if (ctx.interactive) return await followSession(ctx, client, o.chargePointId, null);
    if (ctx.out.json) {
      if (!o.wait) {
        ctx.out.document(started);
        return 0;
      }
      ctx.out.ndjson(started, 'session_started');
    } else {
      // The session id is data, not chatter: a script with -q gets it alone on its line.
      if (ctx.out.quiet) ctx.out.line(started.session_id);
      ctx.out.info(
        `Session ${started.session_id} ${o.restart ? 'restarted' : 'started'} for ${started.charge_point_id}: ${started.steps.map((s) => s.name).join(' → ')} (about ${started.estimated_duration_seconds} s)`,
      );
      if (!o.wait) ctx.out.info(`Follow it with: ${ctx.command(`status ${shellWord(o.chargePointId)} --watch`)}`);
    }
    return o.wait ? await followSession(ctx, client, o.chargePointId, null) : 0;
  } finally {
    await client.close();
  }
}
