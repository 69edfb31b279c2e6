import type { ApiClient } from '../../../api/client.js';
import { ApiRequestError } from '../../../api/client-errors.js';
import type { StartRequest, StartResponse } from '../../../api/contract.js';
import { confirm } from '../../confirm.js';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../errors.js';
import { shellWord } from '../../../common/shell-word.js';

export interface CommissionedOptions {
  chargePointId: string;
  restart?: boolean;
  recommission?: boolean;
  yes?: boolean;
}

/**
 * `start` (or `restart`), or with `--recommission` a new commissioning of a commissioned charge
 * point, asked first. A start refused because the charge point is commissioned says how to do it.
 */
export async function startOrRecommission(ctx: CliContext, client: ApiClient, o: CommissionedOptions & { templateId?: string | undefined }, body: StartRequest): Promise<StartResponse> {
  const id = o.chargePointId;
  if (o.recommission) {
    if (o.restart) throw new UsageError('--recommission goes with start, not restart');
    const go = await confirm(ctx, `${id} is commissioned. Commission it again? Its commissioning is set aside, which the new session's log records and sync reports.`, {
      yes: o.yes === true,
      what: `--recommission sets the commissioning of ${id} aside`,
    });
    if (!go) throw new UsageError(`${id} left as it is (not confirmed)`);
    return client.recommission(id, body);
  }
  try {
    return o.restart ? await client.restart(id, o.templateId) : await client.start(id, body);
  } catch (err) {
    if (err instanceof ApiRequestError && err.code === 'already_commissioned') {
      err.hint = `after a board or controller swap, commission it again: ${ctx.command(`start ${shellWord(id)} --recommission`)}`;
    }
    throw err;
  }
}
