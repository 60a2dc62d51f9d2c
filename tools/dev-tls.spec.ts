import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDevTls } from './dev-tls';

describe('the development CA and certificate', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'odt-dev-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a CA and a localhost certificate signed by it, once', async () => {
    const tls = await ensureDevTls(dir);
    expect(tls.created).toBe('ca-and-certificate');
    const ca = new X509Certificate(readFileSync(tls.caFile));
    const cert = new X509Certificate(readFileSync(tls.certFile));
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    for (const key of [path.join(dir, 'ca-key.pem'), tls.keyFile]) expect(statSync(key).mode & 0o777).toBe(0o600);
    const first = readFileSync(tls.certFile, 'utf8');
    expect((await ensureDevTls(dir)).created).toBe('nothing');
    expect(readFileSync(tls.certFile, 'utf8')).toBe(first);
  });

  it('renews the certificate near its expiry, keeping the CA clients already trust', async () => {
    const caBefore = readFileSync(path.join(dir, 'ca.pem'), 'utf8');
    const certBefore = readFileSync(path.join(dir, 'localhost.pem'), 'utf8');
    const later = new Date(Date.now() + 380 * 86_400_000);
    const tls = await ensureDevTls(dir, later);
    expect(tls.created).toBe('certificate');
    expect(readFileSync(tls.caFile, 'utf8')).toBe(caBefore);
    const cert = new X509Certificate(readFileSync(tls.certFile));
    expect(readFileSync(tls.certFile, 'utf8')).not.toBe(certBefore);
    expect(cert.checkIssued(new X509Certificate(caBefore))).toBe(true);
    expect(new Date(cert.validTo).getTime()).toBeGreaterThan(later.getTime() + 300 * 86_400_000);
  });
});
