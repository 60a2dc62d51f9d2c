import { devHttpsEnv, startupSummary, trustLine } from './start-summary';

describe('the start-up summary', () => {
  it('gives the URLs, the trust line for the development CA and how to get a token', () => {
    expect(startupSummary({ httpUrl: 'http://127.0.0.1:8080', httpsUrl: 'https://127.0.0.1:8443', caFile: '/repo/.odt/tls/ca.pem', auth: 'dev-secret', explorer: true }, '/repo')).toEqual([
      'Open Digital Twins is ready.',
      '  API            http://127.0.0.1:8080  https://127.0.0.1:8443',
      '  API reference  http://127.0.0.1:8080/docs/api  (OpenAPI 3.1: http://127.0.0.1:8080/openapi.json)',
      '  Explorer       http://127.0.0.1:8080/explorer/',
      '  Trust HTTPS    NODE_EXTRA_CA_CERTS=.odt/tls/ca.pem (Node, the JavaScript SDK), curl --cacert .odt/tls/ca.pem; others: docs/sdk.md',
      '  Tokens         npm run token -- --role DataOwner, then send Authorization: Bearer <token>',
    ]);
  });

  it('leaves out what is not there', () => {
    const lines = startupSummary({ httpUrl: 'http://127.0.0.1:8080', auth: 'none' }, '/repo');
    expect(lines.join('\n')).not.toMatch(/https:|Explorer|Trust/);
    expect(lines.at(-1)).toMatch(/authentication is off/);
  });

  it('names a CA outside the working directory by its full path', () => {
    expect(trustLine('/elsewhere/ca.pem', '/repo')).toMatch(/^NODE_EXTRA_CA_CERTS=\/elsewhere\/ca\.pem /);
  });

  it("gives the gateway its HTTPS listener's settings", () => {
    expect(devHttpsEnv({ dir: 'd', caFile: 'd/ca.pem', certFile: 'd/localhost.pem', keyFile: 'd/localhost-key.pem', created: 'nothing' }))
      .toEqual({ HTTPS_PORT: '8443', TLS_CERT_FILE: 'd/localhost.pem', TLS_KEY_FILE: 'd/localhost-key.pem' });
  });
});
