import { loadGatewayConfig } from '../config';
import { explorerConfigOf, explorerCsp } from './explorer-config';

describe('what the Explorer is told about signing in', () => {
  it('says nothing is needed with authentication off, and a pasted token without an OIDC client', () => {
    expect(explorerConfigOf(loadGatewayConfig({}))).toEqual({ auth: 'none' });
    expect(explorerConfigOf(loadGatewayConfig({ AUTH_OIDC_ISSUER: 'https://idp.example/realms/odt' }))).toEqual({ auth: 'token' });
  });

  it('names the issuer, client, scopes and resource of the OIDC flow, and lets the page reach the issuer only', () => {
    const explorer = explorerConfigOf(loadGatewayConfig({
      AUTH_OIDC_ISSUER: 'https://idp.example/realms/odt', EXPLORER_OIDC_CLIENT_ID: 'explorer', EXPLORER_OIDC_RESOURCE: 'https://digitaltwins.azure.net',
    }));
    expect(explorer).toEqual({ auth: 'oidc', oidc: { issuer: 'https://idp.example/realms/odt', clientId: 'explorer', scopes: 'openid profile offline_access', resource: 'https://digitaltwins.azure.net' } });
    expect(explorerCsp(explorer)).toContain("connect-src 'self' https://idp.example;");
    expect(explorerCsp({ auth: 'token' })).toContain("connect-src 'self';");
  });
});
