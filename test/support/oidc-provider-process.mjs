// A real OpenID provider for the browser tests: `oidc-provider` (a certified implementation), run
// as its own process because it is an ES module (Jest's module loader is CommonJS). Spawned by
// test/support/oidc-issuer.ts; prints one JSON line `{"issuer": …}` once it listens.
//
// One public client (no secret; PKCE required), its redirect URI the Explorer at the gateway;
// access tokens for the resource RESOURCE are RS256 JWTs with `roles`, valid ACCESS_TOKEN_TTL
// seconds, signed with a key of this run, published at <issuer>/jwks. The login and consent pages
// are oidc-provider's own development pages (any user name and password sign in).
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import Provider, { errors } from 'oidc-provider';

const { PORT, CLIENT_ID, REDIRECT_URI, RESOURCE, SCOPE = 'digitaltwins', ROLES = 'DataOwner', ACCESS_TOKEN_TTL = '300' } = process.env;
const issuer = `http://127.0.0.1:${PORT}`;
const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [REDIRECT_URI],
  }],
  jwks: { keys: [{ ...key, kid: 'odt-test', use: 'sig', alg: 'RS256' }] },
  cookies: { keys: ['odt-test-cookies'] },
  scopes: ['openid', 'profile', 'offline_access', SCOPE],
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, preferred_username: id, name: id }) }),
  pkce: { required: () => true },
  // offline_access is kept only with prompt=consent; the Explorer gets a refresh token whenever it asks.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  extraTokenClaims: () => ({ roles: ROLES.split(',') }),
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (indicator !== RESOURCE) throw new errors.InvalidTarget();
        return { scope: SCOPE, audience: RESOURCE, accessTokenTTL: Number(ACCESS_TOKEN_TTL), accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
      },
    },
  },
});
// oidc-provider prints a warning per development-only setting (dev interactions, in-memory storage): fine in a test.
provider.on('server_error', (_ctx, err) => process.stderr.write(`oidc-provider: ${err.stack}\n`));

const server = http.createServer(provider.callback());
server.listen(Number(PORT), '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ issuer, jwks: `${issuer}/jwks` })}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
