/** An answer of the API that is not a success: ADT's `{"error":{"code","message"}}` with its status. */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    /** ADT's error code (`DigitalTwinNotFound`, `SqlQueryError`, ...), or `HttpError<status>` when the body had none. */
    readonly code: string,
    message: string,
    readonly headers: Headers,
    readonly details?: unknown,
  ) {
    super(message);
  }

  /** Reads an error response; the body may be ADT-shaped JSON, other text, or empty. */
  static async from(res: Response): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    let code = res.headers.get('x-ms-error-code') ?? `HttpError${res.status}`;
    let message = text || res.statusText || `HTTP ${res.status}`;
    let details: unknown;
    try {
      const body = JSON.parse(text) as { error?: { code?: string; message?: string; details?: unknown } };
      if (body.error) {
        code = body.error.code ?? code;
        message = body.error.message ?? message;
        details = body.error.details;
      }
    } catch {
      // Not JSON: keep the text.
    }
    return new ApiError(res.status, code, message, res.headers, details);
  }
}

/** The request never got an answer (connection refused, DNS, TLS, timeout). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';

  constructor(readonly url: string, override readonly cause: unknown) {
    super(`Could not reach ${new URL(url).origin}: ${describeCause(cause)}`);
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    if (inner instanceof Error) return `${cause.message} (${inner.message})`;
    return cause.message;
  }
  return String(cause);
}
