import type { CliContext } from '../../context.js';
import { tokenStore } from '../../token-store.js';

export async function run(ctx: CliContext): Promise<number> {
  const url = ctx.apiUrl();
  const removed = tokenStore.remove(ctx.tokenKey());
  if (ctx.out.json) ctx.out.document({ api_url: url, logged_out: removed });
  else ctx.out.info(removed ? `Logged out of ${url}` : `Not logged in to ${url}`);
  return 0;
}
