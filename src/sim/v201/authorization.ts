import type * as T from '../../ocpp/ocpp201.js';
import type { DeviceModel } from './device-model.js';

/**
 * Authorization of idTokens (C01, C10, C12) as AuthCtrlr and AuthCacheCtrlr configure it: the
 * authorization cache remembers what the CSMS said of each token; with LocalPreAuthorize a
 * cached Accepted token needs no AuthorizeRequest.
 */
export class Authorization {
  private readonly cache = new Map<string, T.IdTokenInfoType>();

  constructor(
    private readonly model: DeviceModel,
    private readonly ask: (idToken: T.IdTokenType) => Promise<T.AuthorizeResponse | null>,
  ) {}

  async authorize(idToken: T.IdTokenType): Promise<T.AuthorizationStatusEnumType> {
    if (!this.model.bool('AuthCtrlr', 'Enabled')) return 'Accepted';
    const cached = this.cached(idToken);
    if (cached?.status === 'Accepted' && this.model.bool('AuthCtrlr', 'LocalPreAuthorize')) return 'Accepted';
    if (this.model.bool('AuthCtrlr', 'DisableRemoteAuthorization')) return cached?.status ?? 'Unknown';
    const response = await this.ask(idToken);
    if (!response) return cached && this.model.bool('AuthCtrlr', 'LocalAuthorizeOffline') ? cached.status : 'Unknown';
    this.remember(idToken, response.idTokenInfo);
    return response.idTokenInfo.status;
  }

  /** C10: what an AuthorizeResponse or TransactionEventResponse said of a token. */
  remember(idToken: T.IdTokenType, info: T.IdTokenInfoType): void {
    if (this.model.bool('AuthCacheCtrlr', 'Enabled')) this.cache.set(key(idToken), info);
  }

  /** ClearCache (C11): refused while the cache is disabled. */
  clear(): T.ClearCacheResponse {
    if (!this.model.bool('AuthCacheCtrlr', 'Enabled')) return { status: 'Rejected', statusInfo: { reasonCode: 'NotEnabled' } };
    this.cache.clear();
    return { status: 'Accepted' };
  }

  private cached(idToken: T.IdTokenType): T.IdTokenInfoType | undefined {
    return this.model.bool('AuthCacheCtrlr', 'Enabled') ? this.cache.get(key(idToken)) : undefined;
  }
}

// IdToken is case insensitive (IdTokenType.idToken).
const key = (t: T.IdTokenType): string => `${t.type}\u0000${t.idToken.toLowerCase()}`;
