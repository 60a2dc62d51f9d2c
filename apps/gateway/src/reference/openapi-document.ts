import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

/** The OpenAPI 3.1 description of the public API (`openapi.yaml` beside this file, written by hand). */
export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components?: Record<string, unknown>;
  [key: string]: unknown;
}

let cached: OpenApiDocument | undefined;

export function openApiDocument(): OpenApiDocument {
  cached ??= parse(readFileSync(path.join(__dirname, 'openapi.yaml'), 'utf8')) as OpenApiDocument;
  return cached;
}

/** The document as served to one client: its own origin as the server. */
export function openApiDocumentFor(origin: string): OpenApiDocument {
  return { ...openApiDocument(), servers: [{ url: origin, description: 'this gateway' }] };
}
