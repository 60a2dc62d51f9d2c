import { baseConfigSchema, loadConfig } from '@odt/service-kit';
import { z } from 'zod';

const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

export const gatewayConfigSchema = baseConfigSchema.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Largest request body: a whole ontology in one `POST /models` fits; ADT caps twins at 32 KB separately. */
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  TWIN_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(32 * 1024),
  /** Deepest JSON nesting accepted in a body (DTDL models nest a few levels; 1,000-deep JSON is an attack). */
  JSON_MAX_DEPTH: z.coerce.number().int().min(2).max(1000).default(64),
  MAX_URL_LENGTH: z.coerce.number().int().min(256).default(8192),
  MAX_HEADER_BYTES: z.coerce.number().int().min(1024).default(16 * 1024),
  /** Whole-request deadline (headers and body): a slow client is cut off after it. */
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** Idle keep-alive connections close after this. */
  KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  /** Proxies whose X-Forwarded-Proto/Host are believed (nextLink URLs); Fastify `trustProxy` syntax. */
  TRUST_PROXY: z.string().default('loopback'),
  /** Page size when the caller sends no `max-items-per-page`. */
  /** Where direct uploads of import files are kept and exports are read (shared with the jobs service). */
  JOBS_STORAGE_DIR: z.string().min(1).default('.odt/jobs'),
  /** Largest import file accepted by direct upload (PUT /jobs/imports/{id} with an NDJSON body). */
  JOBS_UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 ** 3),
  DEFAULT_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(100),

  // Authentication (docs/security.md). None set: no authentication, loopback only.
  /** HS256 shared secret (small installs, tests, `npm run token`). */
  AUTH_JWT_SECRET: z.string().min(32, 'AUTH_JWT_SECRET must be at least 32 characters').optional(),
  /** A file holding the HS256 secret (as written by `npm run token`). */
  AUTH_JWT_SECRET_FILE: z.string().min(1).optional(),
  /** A PEM public key (RS256/ES256/EdDSA...) that signs the tokens. */
  AUTH_PUBLIC_KEY: z.string().min(1).optional(),
  /** The identity provider's JWKS, fetched and cached; rotated keys are picked up on an unknown `kid`. */
  AUTH_JWKS_URL: z.string().url().optional(),
  /** The identity provider's issuer URL: its JWKS is found through OIDC discovery; also the expected `iss`. */
  AUTH_OIDC_ISSUER: z.string().url().optional(),
  /** Expected `aud`; ADT's resource id by default, so tokens minted for ADT work unchanged. */
  AUTH_AUDIENCE: z.string().min(1).default('https://digitaltwins.azure.net'),
  /** Expected `iss` (defaults to AUTH_OIDC_ISSUER when that is set). */
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_ROLES_CLAIM: z.string().min(1).default('roles'),
  AUTH_OWNER_ROLE: z.string().min(1).default('DataOwner'),
  AUTH_READER_ROLE: z.string().min(1).default('DataReader'),
  /** Custom roles: JSON `{"RoleName": ["digitaltwins/read", "digitaltwins/action", ...]}`; `*` wildcards allowed. */
  AUTH_CUSTOM_ROLES: z.string().default('{}'),
  AUTH_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).max(600).default(60),

  // The Explorer's sign-in (docs/explorer.md): the OIDC authorization-code + PKCE flow, told to it by GET /explorer/config.json.
  /** The Explorer's client id at the identity provider (a public client: no secret, PKCE); unset: the Explorer takes a pasted token. */
  EXPLORER_OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** The issuer the Explorer signs in with; defaults to AUTH_OIDC_ISSUER, then AUTH_ISSUER. */
  EXPLORER_OIDC_ISSUER: z.string().url().optional(),
  /** The scopes it asks for (Entra ID: `https://digitaltwins.azure.net/.default openid offline_access`). */
  EXPLORER_OIDC_SCOPES: z.string().min(1).default('openid profile offline_access'),
  /** An RFC 8707 resource indicator sent with the requests, for providers that pick the token's audience by it. */
  EXPLORER_OIDC_RESOURCE: z.string().url().optional(),

  /** HTTPS when both are set (PEM files): on PORT alone, or on HTTPS_PORT beside plain HTTP on PORT. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** A second, HTTPS listener beside the HTTP one on PORT (`npm start`: 8443 with the development certificate). */
  HTTPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Origins allowed by CORS (comma-separated, or `*`); empty: CORS off, as in ADT. */
  CORS_ORIGINS: csv.default(''),

  /** Requests per second per caller (token subject, or client address before authentication); 0: off. */
  RATE_LIMIT_PER_CALLER: z.coerce.number().int().min(0).default(1000),
  /** Requests per second over all callers; 0: off. ADT's published API rates add up to about 3,200/s. */
  RATE_LIMIT_GLOBAL: z.coerce.number().int().min(0).default(5000),

  /** Every write is audited to the log; also kept in JetStream (`<EVENTS_STREAM>_AUDIT`) unless off. */
  AUDIT_STREAM: bool.default('true'),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).default(90),
  /** Most audit entries one `GET /audit` page reads while filtering; a page may then be short, with a nextLink. */
  AUDIT_SCAN_LIMIT: z.coerce.number().int().min(100).default(20_000),

  /** Postgres, for the Explorer's saved queries only (schema `explorer`); the API itself goes through NATS. */
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/digitaltwins'),

  /** Lifetime of a live-stream ticket (`POST /events/tickets`), good for one `GET /events?ticket=`. */
  EVENTS_TICKET_TTL_SECONDS: z.coerce.number().int().min(1).max(600).default(60),
  /** A live-stream client that has not taken what was sent to it within this is dropped. */
  EVENTS_STALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  /** A live-stream client this many events behind the stream's end is dropped. */
  EVENTS_MAX_LAG: z.coerce.number().int().min(1).default(10_000),
});

/** Settings that only make sense together. */
const consistentGatewayConfig = gatewayConfigSchema.superRefine((config, ctx) => {
  if (config.HTTPS_PORT !== undefined && !(config.TLS_CERT_FILE && config.TLS_KEY_FILE)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['HTTPS_PORT'], message: 'HTTPS_PORT needs TLS_CERT_FILE and TLS_KEY_FILE' });
  }
  if (Boolean(config.TLS_CERT_FILE) !== Boolean(config.TLS_KEY_FILE)) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: [config.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE'], message: 'TLS_CERT_FILE and TLS_KEY_FILE go together' });
  }
  if (config.EXPLORER_OIDC_CLIENT_ID) {
    const authOn = Boolean(config.AUTH_JWT_SECRET || config.AUTH_JWT_SECRET_FILE || config.AUTH_PUBLIC_KEY || config.AUTH_JWKS_URL || config.AUTH_OIDC_ISSUER);
    if (!authOn) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['EXPLORER_OIDC_CLIENT_ID'], message: 'EXPLORER_OIDC_CLIENT_ID needs authentication on (AUTH_OIDC_ISSUER, AUTH_JWKS_URL, AUTH_PUBLIC_KEY or AUTH_JWT_SECRET): nothing would check the tokens' });
    } else if (!explorerIssuerOf(config)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['EXPLORER_OIDC_ISSUER'], message: 'EXPLORER_OIDC_CLIENT_ID needs an issuer URL: set EXPLORER_OIDC_ISSUER (or AUTH_OIDC_ISSUER, or AUTH_ISSUER as a URL)' });
    }
  }
});

export type GatewayConfig = z.infer<typeof gatewayConfigSchema>;

/** The issuer the Explorer signs in with: its own setting, else the one the gateway trusts (when it is a URL). */
export function explorerIssuerOf(config: Pick<GatewayConfig, 'EXPLORER_OIDC_ISSUER' | 'AUTH_OIDC_ISSUER' | 'AUTH_ISSUER'>): string | undefined {
  const candidate = config.EXPLORER_OIDC_ISSUER ?? config.AUTH_OIDC_ISSUER ?? config.AUTH_ISSUER;
  return candidate && /^https?:\/\//.test(candidate) ? candidate : undefined;
}
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
export const loadGatewayConfig = (env = process.env): GatewayConfig => loadConfig(consistentGatewayConfig, env);
