import { type CliContext, isExpired } from '../../context.js';
import { AuthRequired, LoginExpired } from '../../errors.js';
import { humanTime } from '../../time-format.js';
import { readClaims, tokenStore } from '../../token-store.js';
import { visible } from '../../visible.js';

/** Reads the token held for this API; it does not call the API. */
export async function run(ctx: CliContext): Promise<number> {
  const url = ctx.apiUrl();
  const stored = tokenStore.get(ctx.tokenKey());
  const token = ctx.env['DYNAMO_TOKEN'] || stored?.token;
  if (!token) throw new AuthRequired(`not logged in to ${url}`, (c) => `run ${c('login')}`);
  const claims = readClaims(token);
  const expiresAt = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : null;
  const info = {
    api_url: url,
    installer_id: claims.sub ?? stored?.installerId ?? null,
    email: ctx.env['DYNAMO_TOKEN'] ? null : (stored?.email ?? null),
    scope: claims.scope ?? null,
    expires_at: expiresAt,
    expired: isExpired(token),
    source: ctx.env['DYNAMO_TOKEN'] ? 'DYNAMO_TOKEN' : 'stored login',
  };
  if (ctx.out.json) ctx.out.document(info);
  else {
    ctx.out.line(visible(`${info.email ?? info.installer_id} on ${url}`));
    // The claims were written by the server that issued the token: made visible like its answers.
    ctx.out.line(visible(`  installer ${info.installer_id}, scope ${Array.isArray(info.scope) ? info.scope.join(', ') : String(info.scope ?? 'unknown')}`));
    const when = expiresAt ? humanTime(expiresAt, { relative: false }) : 'unknown';
    ctx.out.line(`  ${info.expired ? `${ctx.theme.paint('red', 'expired')} at ${when}` : `valid until ${when}`} (${info.source})`);
  }
  if (info.expired) throw new LoginExpired(`your login to ${url} expired at ${humanTime(expiresAt, { relative: false })}`, (c) => `run ${c('login')}`);
  return 0;
}
