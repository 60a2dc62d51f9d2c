import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import * as x509 from '@peculiar/x509';

type CryptoKey = webcrypto.CryptoKey;

/**
 * A development certificate authority and a certificate for `localhost`, `127.0.0.1` and `::1`
 * signed by it, made once under `dir` (`.odt/tls` for `npm start`) with WebCrypto and
 * `@peculiar/x509`. Clients trust the CA (`NODE_EXTRA_CA_CERTS=<dir>/ca.pem`), so the gateway can
 * serve HTTPS locally and the official SDKs accept it. The CA's key never leaves `dir`.
 */
export interface DevTls {
  dir: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  /** What was done on this call. */
  created: 'ca-and-certificate' | 'certificate' | 'nothing';
}

const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
/** Browsers and macOS refuse server certificates valid much longer than a year. */
const CERT_DAYS = 397;
const CA_DAYS = 3650;
/** A certificate this close to expiry is replaced at start. */
const RENEW_BEFORE_DAYS = 30;
const SERVER_NAMES = [{ type: 'dns', value: 'localhost' }, { type: 'ip', value: '127.0.0.1' }, { type: 'ip', value: '::1' }] as const;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export async function ensureDevTls(dir: string, now = new Date()): Promise<DevTls> {
  const files = { dir, caFile: path.join(dir, 'ca.pem'), caKeyFile: path.join(dir, 'ca-key.pem'), certFile: path.join(dir, 'localhost.pem'), keyFile: path.join(dir, 'localhost-key.pem') };
  const result = (created: DevTls['created']): DevTls => ({ dir, caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile, created });
  mkdirSync(dir, { recursive: true, mode: 0o700 });

  let ca: { cert: x509.X509Certificate; key: CryptoKey } | undefined;
  let created: DevTls['created'] = 'nothing';
  if (existsSync(files.caFile) && existsSync(files.caKeyFile)) {
    const cert = new x509.X509Certificate(readFileSync(files.caFile, 'utf8'));
    if (cert.notAfter.getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY_MS) {
      ca = { cert, key: await importKey(readFileSync(files.caKeyFile, 'utf8')) };
    }
  }
  if (!ca) {
    ca = await createCa(now);
    writeFileSync(files.caKeyFile, await keyPem(ca.key), { mode: 0o600 });
    writeFileSync(files.caFile, ca.cert.toString('pem'));
    created = 'ca-and-certificate';
  }
  if (created === 'nothing' && currentCertificate(files.certFile, files.keyFile, ca.cert, now)) return result('nothing');

  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=localhost, O=Open Digital Twins (development)',
    issuer: ca.cert.subject,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CERT_DAYS * DAY_MS),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(SERVER_NAMES.map((n) => ({ ...n }))),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  writeFileSync(files.keyFile, await keyPem(keys.privateKey), { mode: 0o600 });
  writeFileSync(files.certFile, cert.toString('pem'));
  return result(created === 'nothing' ? 'certificate' : created);
}

async function createCa(now: Date): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  const keys = await webcrypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=Open Digital Twins development CA (${hostname().replace(/[,=+<>#;"\\]/g, '')}), O=Open Digital Twins (development)`,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      // pathLength 0: this CA signs server certificates only, never another CA.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

/** The certificate on disk is signed by this CA, names every local address and is not about to expire. */
function currentCertificate(certFile: string, keyFile: string, ca: x509.X509Certificate, now: Date): boolean {
  if (!existsSync(certFile) || !existsSync(keyFile)) return false;
  const cert = new x509.X509Certificate(readFileSync(certFile, 'utf8'));
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  return cert.issuer === ca.subject
    && cert.notAfter.getTime() - now.getTime() > RENEW_BEFORE_DAYS * DAY_MS
    && SERVER_NAMES.every((want) => names.some((n) => n.type === want.type && n.value === want.value));
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] &= 0x7f; // a positive serial number
  return Buffer.from(bytes).toString('hex');
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('pkcs8', der, EC_KEY, true, ['sign']);
}
