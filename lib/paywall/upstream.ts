import { BadGatewayError } from "@/lib/errors";
import { UPSTREAM_CSP } from "./security-headers";

/** Response headers passed through from the upstream. */
const PASS_HEADERS = ["content-type", "content-language", "last-modified", "etag"];

export interface UpstreamLimits {
  /** Accept header forwarded to the upstream. */
  accept: string;
  /** Longest wait for the whole response, body included. */
  timeoutMs: number;
  /** Largest body passed on; a larger one is abandoned. */
  maxBytes: number;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

/**
 * Fetches one upstream resource for a paid request and returns it as the site serves it: the
 * upstream's status and content headers, `nosniff` and a sandboxing CSP (the content must not act
 * on the site's origin). The body is read in full first, so a timeout or an oversized body
 * answers 502 instead of a truncated 200. 502 messages never name the upstream's address (the
 * log does).
 */
export async function fetchUpstream(url: URL, limits: UpstreamLimits): Promise<Response> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  const fail = (message: string, cause: unknown): never => {
    const detail = cause instanceof Error && cause.message !== message ? ` (${cause.message})` : "";
    console.warn(`upstream ${url.origin}: ${message}${detail}`);
    throw new BadGatewayError(message, cause);
  };
  const timeoutMessage = `the upstream did not answer within ${limits.timeoutMs} ms`;
  const tooLarge = `the upstream's response is larger than ${limits.maxBytes} bytes`;

  let upstream: Response;
  try {
    upstream = await fetch(url, {
      headers: { accept: limits.accept },
      redirect: "manual",
      signal,
    });
  } catch (cause) {
    return fail(isTimeout(cause) ? timeoutMessage : "the upstream is unreachable", cause);
  }

  const declared = Number(upstream.headers.get("content-length") ?? NaN);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (upstream.body) {
    const reader = upstream.body.getReader();
    try {
      if (declared > limits.maxBytes) throw new RangeError(tooLarge);
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > limits.maxBytes) throw new RangeError(tooLarge);
        chunks.push(value);
      }
    } catch (cause) {
      // Stop downloading at once; the connection is dropped.
      await reader.cancel().catch(() => undefined);
      return fail(
        cause instanceof RangeError
          ? tooLarge
          : isTimeout(cause)
            ? timeoutMessage
            : "the upstream's response broke off",
        cause,
      );
    }
  }

  const headers = new Headers({
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": UPSTREAM_CSP,
  });
  for (const name of PASS_HEADERS) {
    const v = upstream.headers.get(name);
    if (v) headers.set(name, v);
  }
  const nullBody = [101, 204, 205, 304].includes(upstream.status);
  const body = upstream.body && !nullBody ? Buffer.concat(chunks) : null;
  return new Response(body, { status: upstream.status, headers });
}
