import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

/**
 * `npm run token -- --role DataOwner`: a development access token, signed (HS256) with the secret
 * in AUTH_JWT_SECRET or else in `.odt/dev-jwt-secret`, generated on first use. Start the gateway
 * with `AUTH_JWT_SECRET_FILE=.odt/dev-jwt-secret` and it accepts these tokens.
 */
const DEFAULT_SECRET_FILE = path.resolve(__dirname, '..', '.odt', 'dev-jwt-secret');

function secret(file: string): string {
  if (process.env.AUTH_JWT_SECRET) return process.env.AUTH_JWT_SECRET;
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
    process.stderr.write(`generated a development secret in ${file}\n`);
  }
  return readFileSync(file, 'utf8').trim();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true, default: ['DataOwner'] },
      sub: { type: 'string', default: `dev-${process.env.USER ?? 'user'}` },
      expires: { type: 'string', default: '8h' },
      audience: { type: 'string', default: process.env.AUTH_AUDIENCE ?? 'https://digitaltwins.azure.net' },
      issuer: { type: 'string', default: process.env.AUTH_ISSUER },
      'secret-file': { type: 'string', default: process.env.AUTH_JWT_SECRET_FILE ?? DEFAULT_SECRET_FILE },
    },
  });
  const file = path.resolve(values['secret-file'] as string);
  const jwt = new SignJWT({ [process.env.AUTH_ROLES_CLAIM ?? 'roles']: values.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(values.sub as string)
    .setAudience(values.audience as string)
    .setIssuedAt()
    .setExpirationTime(values.expires as string);
  if (values.issuer) jwt.setIssuer(values.issuer);
  process.stdout.write(`${await jwt.sign(new TextEncoder().encode(secret(file)))}\n`);
  if (!process.env.AUTH_JWT_SECRET) process.stderr.write(`the gateway accepts it when started with AUTH_JWT_SECRET_FILE=${path.relative(process.cwd(), file) || file}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
