/**
 * A request the payer can send again with payment headers: its body buffered, the site's
 * failures as {@link PayerError}s, and the payment terms of a 402 decoded.
 */
import { decodePaymentTerms, PaymentTermsError, type PaymentTerms } from "../terms";
import { PayerError } from "./errors";

/** A request buffered so that it can be re-sent. */
export interface RequestTemplate {
  url: string;
  init: RequestInit;
  headers: Headers;
  method: string;
}

/** Buffers a request (body included) so that it can be sent more than once. */
export async function requestTemplate(
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<RequestTemplate> {
  const req = new Request(input, init);
  const body = req.body ? await req.arrayBuffer() : undefined;
  return {
    url: req.url,
    method: req.method,
    headers: new Headers(req.headers),
    init: {
      method: req.method,
      body,
      redirect: req.redirect,
      credentials: req.credentials,
      cache: req.cache,
      referrerPolicy: req.referrerPolicy,
      integrity: req.integrity,
      keepalive: req.keepalive,
      signal: req.signal,
    },
  };
}

/**
 * Sends `t` with `extra` headers set.
 *
 * @throws {PayerError} "site-unreachable" when the site does not answer (aborts are rethrown).
 */
export async function send(
  fetchImpl: typeof fetch,
  t: RequestTemplate,
  extra: Record<string, string> = {},
): Promise<Response> {
  const headers = new Headers(t.headers);
  for (const [k, v] of Object.entries(extra)) headers.set(k, v);
  try {
    return await fetchImpl(new Request(t.url, { ...t.init, headers }));
  } catch (cause) {
    if ((cause as Error)?.name === "AbortError") throw cause;
    throw new PayerError("site-unreachable", `${new URL(t.url).origin} did not answer.`, {
      cause,
    });
  }
}

/**
 * The payment terms of a 402.
 *
 * @throws {PayerError} "bad-terms" when the headers do not decode.
 */
export function decodeTerms(res: Response, origin: string): PaymentTerms {
  try {
    return decodePaymentTerms(res.headers);
  } catch (cause) {
    const why = cause instanceof PaymentTermsError ? cause.message : String(cause);
    throw new PayerError("bad-terms", `${origin} answered 402 with unusable terms (${why}).`, {
      cause,
    });
  }
}
