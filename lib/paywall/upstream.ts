import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { BadGatewayError } from "@/lib/errors";
import { checkUpstreamHost, type ResolvedAddress } from "./upstream-address";
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
  /**
   * Whether the upstream may be on a loopback, link-local or private address (UPSTREAM_URL from
   * the environment; admin-configured upstreams only with UPSTREAM_ALLOW_PRIVATE).
   */
  allowPrivate: boolean;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
}

/** `promise`, or the signal's reason once it aborts (a DNS lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const abort = () => reject(signal.reason);
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/**
 * Connection pools, one per scheme and rule: a connection opened to an address checked under
 * one rule is never reused for a request made under the other.
 */
const agents = new Map<string, http.Agent>();
function agentFor(protocol: string, allowPrivate: boolean): http.Agent {
  const key = `${protocol}${allowPrivate}`;
  let agent = agents.get(key);
  if (!agent) {
    const opts = { keepAlive: true, maxSockets: 64 };
    agent = protocol === "https:" ? new https.Agent(opts) : new http.Agent(opts);
    agents.set(key, agent);
  }
  return agent;
}

/** A `lookup` that answers the address already checked: the connection goes nowhere else. */
function pinnedLookup(resolved: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all)
      (callback as (e: null, a: ResolvedAddress[]) => void)(null, [resolved]);
    else callback(null, resolved.address, resolved.family);
  };
}

/** One GET to `address` for `url` (Host and TLS name stay `url`'s); redirects are not followed. */
function request(
  url: URL,
  address: ResolvedAddress,
  limits: UpstreamLimits,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: "GET",
      headers: { accept: limits.accept, "accept-encoding": "identity" },
      agent: agentFor(url.protocol, limits.allowPrivate),
      lookup: pinnedLookup(address),
      signal,
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end();
  });
}

/**
 * Fetches one upstream resource for a paid request and returns it as the site serves it: the
 * upstream's status and content headers, `nosniff` and a sandboxing CSP (the content must not act
 * on the site's origin). The host is resolved and, unless `allowPrivate`, every address must be
 * public; the connection goes to the address checked, and a redirect is passed on as it is (its
 * Location dropped), never followed. The body is read in full first, so a timeout or an oversized
 * body answers 502 instead of a truncated 200. 502 messages never name the upstream's address
 * (the log does).
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

  let host: Awaited<ReturnType<typeof checkUpstreamHost>>;
  try {
    host = await untilAborted(checkUpstreamHost(url, limits), signal);
  } catch (cause) {
    return fail(timeoutMessage, cause);
  }
  if (host.type === "unresolved") return fail("the upstream is unreachable", host.cause);
  if (host.type === "private") {
    console.warn(
      `upstream ${url.origin}: refused, ${host.address} is a loopback, link-local or private address (UPSTREAM_ALLOW_PRIVATE allows it)`,
    );
    throw new BadGatewayError("the upstream's address is not allowed");
  }

  let upstream: http.IncomingMessage;
  try {
    upstream = await request(url, host.address, limits, signal);
  } catch (cause) {
    const late = isTimeout(cause) || signal.aborted;
    return fail(late ? timeoutMessage : "the upstream is unreachable", cause);
  }

  const status = upstream.statusCode ?? 502;
  const declared = Number(upstream.headers["content-length"] ?? NaN);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    if (declared > limits.maxBytes) throw new RangeError(tooLarge);
    for await (const chunk of upstream as AsyncIterable<Buffer>) {
      size += chunk.byteLength;
      if (size > limits.maxBytes) throw new RangeError(tooLarge);
      chunks.push(chunk);
    }
  } catch (cause) {
    // Stop downloading at once; the connection is dropped.
    upstream.destroy();
    return fail(
      cause instanceof RangeError
        ? tooLarge
        : isTimeout(cause) || signal.aborted
          ? timeoutMessage
          : "the upstream's response broke off",
      cause,
    );
  }

  const headers = new Headers({
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": UPSTREAM_CSP,
  });
  for (const name of PASS_HEADERS) {
    const v = upstream.headers[name];
    if (typeof v === "string" && v) headers.set(name, v);
  }
  const nullBody = [101, 204, 205, 304].includes(status);
  return new Response(nullBody ? null : Buffer.concat(chunks), { status, headers });
}
