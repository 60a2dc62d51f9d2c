import { z } from 'zod';

const list = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));
const bool = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

export const mcpConfigSchema = z.object({
  /** The gateway whose API the tools call (with the caller's own token). */
  MCP_API_URL: z.string().url().default('http://127.0.0.1:8080'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  /** This server's public URL (behind a proxy), for the protected resource metadata. */
  MCP_PUBLIC_URL: z.string().url().optional(),
  /** The OAuth issuers (the gateway's AUTH_OIDC_ISSUER) that clients get tokens from; published as protected resource metadata. */
  MCP_AUTHORIZATION_SERVERS: list.optional(),
  MCP_SCOPES: list.optional(),
  /** Token roles that make a caller a writer (the gateway's AUTH_OWNER_ROLE, plus custom roles that write). */
  MCP_WRITER_ROLES: list.default('DataOwner'),
  /** The gateway's AUTH_ROLES_CLAIM. */
  MCP_ROLES_CLAIM: z.string().min(1).default('roles'),
  /** Browser origins allowed to call (DNS-rebinding protection); requests without Origin are allowed. */
  MCP_ALLOWED_ORIGINS: list.optional(),
  /** No write tools for anyone. */
  MCP_READ_ONLY: bool,
  /** How long a verified token's permissions are remembered. */
  MCP_AUTH_CACHE_MS: z.coerce.number().int().min(0).default(30_000),
  MCP_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(1_048_576),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
});

export type McpConfig = z.infer<typeof mcpConfigSchema>;

export function loadMcpConfig(env: Record<string, string | undefined> = process.env): McpConfig {
  const result = mcpConfigSchema.safeParse(env);
  if (!result.success) throw new Error(`Invalid configuration: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data;
}
