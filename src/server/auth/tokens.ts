import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { ApiError } from '../../api/errors.js';
import { SIGNING_KEY_FILE } from './signing-key-file.js';
import { writePrivateFile } from '../../common/private-files.js';

/** The one algorithm we sign and accept: a token with any other `alg` (including "none") is refused. */
const ALGORITHM = 'EdDSA';
export const AUDIENCE = 'dynamo-installer-api';

export interface TokenClaims {
  installerId: string;
  /** Charge point ids the token may act on; ["*"] for all. */
  scope: string[];
}

type Key = Awaited<ReturnType<typeof importJWK>>;

/**
 * Issues and verifies installer JWTs, signed with an Ed25519 key the server creates on first
 * start and keeps in its data directory (0600).
 */
export class TokenService {
  private constructor(
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    readonly issuer: string,
    readonly ttlSeconds: number,
  ) {}

  static async open(dataDir: string, issuer: string, ttlSeconds: number): Promise<TokenService> {
    const file = join(dataDir, SIGNING_KEY_FILE);
    let jwk: JWK;
    if (existsSync(file)) {
      jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } else {
      const pair = await generateKeyPair(ALGORITHM, { crv: 'Ed25519', extractable: true });
      jwk = await exportJWK(pair.privateKey);
      writePrivateFile(file, `${JSON.stringify(jwk)}\n`);
    }
    const { d: _private, ...publicJwk } = jwk;
    return new TokenService(await importJWK(jwk, ALGORITHM), await importJWK(publicJwk, ALGORITHM), issuer, ttlSeconds);
  }

  async issue(claims: TokenClaims): Promise<string> {
    return new SignJWT({ scope: claims.scope })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(AUDIENCE)
      .setSubject(claims.installerId)
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.privateKey);
  }

  /** Verifies signature, algorithm, issuer, audience and expiry; ApiError(unauthorized) otherwise. */
  async verify(token: string): Promise<TokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.issuer,
        audience: AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      });
      const scope = payload['scope'];
      const list = typeof scope === 'string' ? [scope] : Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : [];
      return { installerId: payload.sub!, scope: list };
    } catch (err) {
      const reason = err instanceof joseErrors.JWTExpired ? 'token expired' : 'token is not valid';
      throw new ApiError('unauthorized', `${reason}; log in again`);
    }
  }
}

export function inScope(claims: TokenClaims, chargePointId: string): boolean {
  return claims.scope.includes('*') || claims.scope.includes(chargePointId);
}
