import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@odt/contracts';

/** Where a query stopped: its text, the keyset position of the last row, and how many rows went out. */
export interface QueryPosition {
  query: string;
  after: unknown[];
  returned: number;
  /** Extension: the moment an `asOf` query reads the graph at. */
  asOf?: string;
}

const invalid = () => new DomainError('BadRequest', 'An invalid continuationToken was provided.');

/**
 * Continuation tokens are opaque and tamper-evident: the position, HMAC-SHA256-signed. A modified
 * token fails the signature and is a 400, never a query.
 */
export class ContinuationTokens {
  private readonly key: Buffer;

  constructor(secret?: string) {
    this.key = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(position: QueryPosition): string {
    const fields = [position.query, position.after, position.returned, ...(position.asOf === undefined ? [] : [position.asOf])];
    const body = Buffer.from(JSON.stringify(fields)).toString('base64url');
    return `${body}.${this.sign(body)}`;
  }

  read(token: unknown): QueryPosition {
    if (typeof token !== 'string' || token.length > 64_000) throw invalid();
    const [body, signature, extra] = token.split('.');
    if (!body || !signature || extra !== undefined) throw invalid();
    const expected = Buffer.from(this.sign(body));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    try {
      const [query, after, returned, asOf] = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as [unknown, unknown, unknown, unknown];
      if (typeof query === 'string' && Array.isArray(after) && typeof returned === 'number') {
        if (asOf === undefined) return { query, after, returned };
        if (typeof asOf === 'string') return { query, after, returned, asOf };
      }
    } catch {
      // fall through
    }
    throw invalid();
  }

  private sign(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
