import { readConfig, writeConfig } from '../../config.js';
import type { CliContext } from '../../context.js';
import { MissingInput } from '../../errors.js';
import { shellWord } from '../../../common/shell-word.js';
import { humanTime } from '../../time-format.js';

export interface LoginOptions {
  email?: string;
  passwordStdin: boolean;
}

export async function run(ctx: CliContext, options: LoginOptions): Promise<number> {
  const url = ctx.apiUrl();
  const email = options.email;
  const password = options.passwordStdin ? await ctx.readStdin() : undefined;
  if (ctx.options.local && email === undefined && password === undefined) {
    // The local server's own account: --local logs in from its credentials file.
    const client = await ctx.client();
    await client.close();
    report(ctx, url, 'the local installer account');
    return 0;
  }
  let credentials: { email: string; password: string };
  if (email !== undefined && password !== undefined) {
    credentials = { email, password };
  } else {
    if (!ctx.interactive) {
      throw new MissingInput(
        email === undefined ? 'missing --email (there is no terminal to ask on)' : 'missing --password-stdin (there is no terminal to ask on)',
        (c) => c(`login --email ${email !== undefined ? shellWord(email) : 'you@example.com'} --password-stdin < password.txt`),
      );
    }
    const { promptLogin } = await import('../../ui/prompts.js');
    const answers = await promptLogin(ctx, email);
    if (!answers) return 2;
    credentials = answers;
  }
  const client = await ctx.client({ auth: false });
  try {
    const login = await client.login(credentials.email, credentials.password);
    ctx.keepLogin(ctx.tokenKey(), login.access_token, login.installer_id, credentials.email);
    if (ctx.options.apiUrl) writeConfig({ ...readConfig(), api_url: url });
    report(ctx, url, credentials.email, login.installer_id, login.expires_in);
  } finally {
    await client.close();
  }
  return 0;
}

function report(ctx: CliContext, url: string, who: string, installerId?: string, expiresIn?: number): void {
  if (ctx.out.json) {
    ctx.out.document({ api_url: url, email: who, installer_id: installerId ?? null, expires_in: expiresIn ?? null });
    return;
  }
  const until = expiresIn ? ` until ${humanTime(new Date(Date.now() + expiresIn * 1000).toISOString(), { relative: false })}` : '';
  ctx.out.info(ctx.theme.ok(`Logged in to ${url} as ${who}${until}`));
}
