import type { LoginRequest, LoginResponse } from '../../api/contract.js';
import { ApiError } from '../../api/errors.js';
import { loginSchema } from '../../api/schemas.js';
import { validate } from '../../api/validate.js';
import { hashPassword, verifyPassword } from '../../common/password.js';
import type { RouteHandler } from '../http/types.js';
import type { RouteDeps } from './deps.js';

export function loginRoute({ store, tokens, loginLimiter }: RouteDeps): RouteHandler {
  // Checked against when the email is unknown, so the answer takes as long either way.
  const dummy = hashPassword('not a real password');
  return async (ctx) => {
    const body = validate<LoginRequest>(loginSchema, ctx.body);
    const installer = store.installers.byEmail(body.email.trim());
    const hash = installer?.passwordHash ?? (await dummy);
    const ok = await loginLimiter.attempt(ctx.remoteAddress, async () => (await verifyPassword(body.password, hash)) && installer !== undefined);
    if (!installer || !ok) throw new ApiError('unauthorized', 'email or password is wrong');
    const response: LoginResponse = {
      access_token: await tokens.issue({ installerId: installer.id, scope: installer.scope }),
      token_type: 'Bearer',
      expires_in: tokens.ttlSeconds,
      installer_id: installer.id,
    };
    return { status: 200, body: response };
  };
}
