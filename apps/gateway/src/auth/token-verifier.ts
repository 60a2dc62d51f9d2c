import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Caller } from '@odt/contracts';
import type { GatewayConfig } from '../config';

/** A caller whose token was verified: who, and the roles the token grants. */
export interface VerifiedCaller extends Caller {
  roles: string[];
}

/** Why a token was refused; becomes a 401 with `WWW-Authenticate: Bearer error="invalid_token"`. */
export class InvalidTokenError extends Error {}

export type AuthMode = 'none' | 'secret' | 'public-key' | 'jwks' | 'oidc';

export function authModeOf(config: GatewayConfig): AuthMode {
  if (config.AUTH_JWT_SECRET || config.AUTH_JWT_SECRET_FILE) return 'secret';
  if (config.AUTH_PUBLIC_KEY) return 'public-key';
  if (config.AUTH_JWKS_URL) return 'jwks';
  if (config.AUTH_OIDC_ISSUER) return 'oidc';
  return 'none';
}

/** An unknown `kid` refetches the JWKS (key rotation), at most this often (a flood of made-up kids can't hammer the provider). */
const JWKS_COOLDOWN_MS = 5_000;
const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/**
 * Verifies bearer tokens with `jose`: signature (shared secret, public key, or the provider's JWKS,
 * cached and refetched when a token names an unknown key), issuer, audience, expiry and not-before
 * with a small clock skew. Works with any OIDC provider (Keycloak, Entra ID, Auth0...).
 */
export class TokenVerifier {
  private keys?: Promise<Uint8Array | KeyObject | JWTVerifyGetKey>;
  private readonly algorithms: string[];
  private readonly issuer?: string;

  constructor(private readonly config: GatewayConfig, readonly mode: AuthMode = authModeOf(config)) {
    this.algorithms = mode === 'secret' ? HMAC : ASYMMETRIC;
    this.issuer = config.AUTH_ISSUER ?? config.AUTH_OIDC_ISSUER;
    if (mode === 'secret') {
      const secret = config.AUTH_JWT_SECRET ?? readFileSync(config.AUTH_JWT_SECRET_FILE as string, 'utf8').trim();
      if (secret.length < 32) throw new Error('The HS256 secret must be at least 32 characters.');
      this.keys = Promise.resolve(new TextEncoder().encode(secret));
    } else if (mode === 'public-key') {
      this.keys = Promise.resolve(createPublicKey((config.AUTH_PUBLIC_KEY as string).replace(/\\n/g, '\n')));
    } else if (mode === 'jwks') {
      this.keys = Promise.resolve(createRemoteJWKSet(new URL(config.AUTH_JWKS_URL as string), { cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: 600_000 }));
    }
  }

  async verify(token: string): Promise<VerifiedCaller> {
    const key = await this.key();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key as Parameters<typeof jwtVerify>[1], {
        algorithms: this.algorithms,
        audience: this.config.AUTH_AUDIENCE,
        issuer: this.issuer,
        clockTolerance: this.config.AUTH_CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw new InvalidTokenError(describe(err));
    }
    const id = [payload.sub, payload.oid, payload.appid, payload.azp].find((v): v is string => typeof v === 'string' && v.length > 0);
    if (!id) throw new InvalidTokenError('The access token names no subject.');
    const type = payload.idtyp === 'app' || (payload.sub !== undefined && payload.sub === payload.azp) ? 'service_account' : 'user';
    return { type, id, roles: rolesOf(payload, this.config.AUTH_ROLES_CLAIM) };
  }

  /** OIDC: the JWKS address comes from the issuer's discovery document, fetched once it is needed. */
  private key(): Promise<Uint8Array | KeyObject | JWTVerifyGetKey> {
    if (!this.keys) {
      const discovery = new URL(`${(this.config.AUTH_OIDC_ISSUER as string).replace(/\/$/, '')}/.well-known/openid-configuration`);
      this.keys = fetch(discovery, { signal: AbortSignal.timeout(5000) })
        .then(async (res) => {
          if (!res.ok) throw new Error(`OIDC discovery at ${discovery} answered ${res.status}`);
          const doc = (await res.json()) as { jwks_uri?: string };
          if (!doc.jwks_uri) throw new Error(`OIDC discovery at ${discovery} has no jwks_uri`);
          return createRemoteJWKSet(new URL(doc.jwks_uri), { cooldownDuration: JWKS_COOLDOWN_MS, cacheMaxAge: 600_000 });
        });
      // A failed discovery is retried on the next request rather than remembered.
      this.keys.catch(() => { this.keys = undefined; });
    }
    return this.keys.catch((err: Error) => { throw new InvalidTokenError(`The token's signing keys could not be loaded: ${err.message}`); });
  }
}

/** The roles claim: an array, or a space/comma-separated string; a dotted name reaches into objects (Keycloak's `realm_access.roles`). */
function rolesOf(payload: JWTPayload, claim: string): string[] {
  let value: unknown = payload[claim];
  if (value === undefined && claim.includes('.')) {
    value = claim.split('.').reduce<unknown>((at, part) => (at && typeof at === 'object' ? (at as Record<string, unknown>)[part] : undefined), payload);
  }
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return Array.isArray(value) ? value.filter((r): r is string => typeof r === 'string') : [];
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'The access token has expired.';
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return 'The access token is not meant for this service (audience).';
    if (err.claim === 'iss') return 'The access token comes from an issuer this service does not trust.';
    if (err.claim === 'nbf') return 'The access token is not valid yet.';
    return `The access token's ${err.claim} claim is not acceptable.`;
  }
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey) return 'The access token\'s signature is not valid.';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm this service does not accept.';
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return 'The access token is malformed.';
  if (err instanceof InvalidTokenError) return err.message;
  return 'The access token could not be verified.';
}
