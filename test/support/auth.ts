import { SignJWT } from 'jose';

/** The identity provider of the security tests: an HS256 secret, an issuer, ADT's audience. */
export const TEST_AUTH = {
  secret: 'test-only-secret-of-at-least-32-characters!',
  issuer: 'https://idp.test.example/',
  audience: 'https://digitaltwins.azure.net',
};

/** Gateway settings that turn authentication on with `TEST_AUTH`, plus a custom role. */
export const authEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  AUTH_JWT_SECRET: TEST_AUTH.secret,
  AUTH_ISSUER: TEST_AUTH.issuer,
  ...extra,
});

export interface TokenClaims {
  sub?: string;
  roles?: string[];
  aud?: string;
  iss?: string;
  /** Seconds from now; negative: already expired. */
  expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  notBefore?: number;
  secret?: string;
}

/** A signed access token as an identity provider would issue it. */
export function mintToken(claims: TokenClaims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ roles: claims.roles ?? ['DataOwner'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub ?? 'test-user')
    .setIssuer(claims.iss ?? TEST_AUTH.issuer)
    .setAudience(claims.aud ?? TEST_AUTH.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + (claims.expiresIn ?? 600));
  if (claims.notBefore !== undefined) jwt.setNotBefore(now + claims.notBefore);
  return jwt.sign(new TextEncoder().encode(claims.secret ?? TEST_AUTH.secret));
}
