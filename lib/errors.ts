/**
 * Base of every error the site throws on purpose (bugs and infrastructure faults; expected
 * protocol outcomes are values). `status` is what the HTTP edge answers; `expose` says whether the
 * message is safe to show to the client.
 */
export class AppError extends Error {
  override name = "AppError";
  readonly status: number;
  readonly expose: boolean;
  constructor(message: string, opts: { status?: number; expose?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.status = opts.status ?? 500;
    this.expose = opts.expose ?? false;
  }
}

/** The site is misconfigured (missing key, deployment, secret). */
export class ConfigError extends AppError {
  override name = "ConfigError";
  constructor(message: string, cause?: unknown) {
    super(message, { status: 503, expose: true, cause });
  }
}

/** A service the request depends on failed (answered with 502 and the message). */
export class BadGatewayError extends AppError {
  override name = "BadGatewayError";
  constructor(message: string, cause?: unknown) {
    super(message, { status: 502, expose: true, cause });
  }
}

/** The chain cannot serve the request: RPC unreachable, or the receiver lacks ETH for disputes. */
export class ChainUnavailableError extends BadGatewayError {
  override name = "ChainUnavailableError";
}

/** Bad client input: a JSON message naming the field, plus `details` fields when given. */
export class BadRequestError extends AppError {
  override name = "BadRequestError";
  /** Extra JSON fields of the answer (e.g. the state a 409 conflicts with). */
  readonly details?: Readonly<Record<string, string | number | null>>;
  constructor(
    message: string,
    status: 400 | 401 | 403 | 404 | 409 = 400,
    details?: Record<string, string | number | null>,
  ) {
    super(message, { status, expose: true });
    this.details = details;
  }
}

/** Maps any thrown value to a JSON response without leaking internals. */
export function errorResponse(err: unknown): Response {
  if (err instanceof AppError && err.expose) {
    const details = err instanceof BadRequestError ? err.details : undefined;
    return Response.json({ ...details, error: err.message }, { status: err.status });
  }
  console.error(err);
  return Response.json({ error: "internal error" }, { status: 500 });
}
