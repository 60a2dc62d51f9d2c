import { ConfigError } from '@odt/service-kit';
import { explorerIssuerOf, loadGatewayConfig } from './config';

describe('the gateway configuration', () => {
  it('takes HTTPS_PORT with the TLS files, and refuses it without them', () => {
    expect(loadGatewayConfig({ HTTPS_PORT: '8443', TLS_CERT_FILE: 'c.pem', TLS_KEY_FILE: 'k.pem' }).HTTPS_PORT).toBe(8443);
    expect(() => loadGatewayConfig({ HTTPS_PORT: '8443' })).toThrow(new ConfigError('Invalid configuration: HTTPS_PORT: HTTPS_PORT needs TLS_CERT_FILE and TLS_KEY_FILE'));
  });

  it('refuses a certificate without its key', () => {
    expect(() => loadGatewayConfig({ TLS_CERT_FILE: 'c.pem' })).toThrow(/TLS_KEY_FILE: TLS_CERT_FILE and TLS_KEY_FILE go together/);
  });

  it('has the live stream and audit defaults the docs give', () => {
    expect(loadGatewayConfig({})).toMatchObject({ EVENTS_TICKET_TTL_SECONDS: 60, EVENTS_STALL_TIMEOUT_MS: 30_000, EVENTS_MAX_LAG: 10_000, AUDIT_SCAN_LIMIT: 20_000 });
  });

  it('takes the Explorer\'s OIDC client with authentication on, its issuer from AUTH_OIDC_ISSUER or AUTH_ISSUER', () => {
    const viaOidc = loadGatewayConfig({ AUTH_OIDC_ISSUER: 'https://idp.example/realms/odt', EXPLORER_OIDC_CLIENT_ID: 'explorer' });
    expect([explorerIssuerOf(viaOidc), viaOidc.EXPLORER_OIDC_SCOPES]).toEqual(['https://idp.example/realms/odt', 'openid profile offline_access']);
    const viaJwks = loadGatewayConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'https://idp.example/', EXPLORER_OIDC_CLIENT_ID: 'explorer' });
    expect(explorerIssuerOf(viaJwks)).toBe('https://idp.example/');
  });

  it('refuses an Explorer client id with authentication off, or without an issuer URL', () => {
    expect(() => loadGatewayConfig({ EXPLORER_OIDC_CLIENT_ID: 'explorer' })).toThrow(/EXPLORER_OIDC_CLIENT_ID: EXPLORER_OIDC_CLIENT_ID needs authentication on/);
    expect(() => loadGatewayConfig({ AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_ISSUER: 'idp', EXPLORER_OIDC_CLIENT_ID: 'explorer' })).toThrow(/EXPLORER_OIDC_ISSUER: EXPLORER_OIDC_CLIENT_ID needs an issuer URL/);
  });
});
