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
    status: 400 | 401 | 403 | 404 | 409 | 413 | 429 = 400,
    details?: Record<string, string | number | null>,
  ) {
    super(message, { status, expose: true });
    this.details = details;
  }
}

/** A request body larger than the endpoint reads: 413, naming the limit in bytes (`limit`). */
export class PayloadTooLargeError extends BadRequestError {
  override name = "PayloadTooLargeError";
  constructor(readonly limit: number) {
    super(`body: larger than this endpoint's limit of ${limit} bytes`, 413, { limit });
  }
}

/** Machine-readable error codes, one per status the site answers with. */
export const ERROR_CODES = {
  400: "bad_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "too_many_requests",
  500: "internal",
  501: "not_implemented",
  502: "bad_gateway",
  503: "unavailable",
} as const;
export type ErrorStatus = keyof typeof ERROR_CODES;
export type ErrorCode = (typeof ERROR_CODES)[ErrorStatus];

/** A thrown value as the client may see it: status, code, message and any extra fields. */
export interface TranslatedError {
  status: ErrorStatus;
  code: ErrorCode;
  error: string;
  details?: Readonly<Record<string, string | number | null>>;
}

/**
 * The one error translator: maps any thrown value to what the client is told, without leaking
 * internals (anything not meant to be shown is logged and becomes a 500 "internal error").
 */
export function translateError(err: unknown): TranslatedError {
  if (err instanceof AppError && err.expose) {
    const status = (err.status in ERROR_CODES ? err.status : 500) as ErrorStatus;
    const details = err instanceof BadRequestError ? err.details : undefined;
    return { status, code: ERROR_CODES[status], error: err.message, details };
  }
  console.error(err);
  return { status: 500, code: "internal", error: "internal error" };
}

/** Maps any thrown value to a JSON response `{ error, code, ...details }` without leaking internals. */
export function errorResponse(err: unknown): Response {
  const t = translateError(err);
  return Response.json({ ...t.details, error: t.error, code: t.code }, { status: t.status });
}
