/**
 * Who a reader is, for the dashboard's per-reader conversion and nothing else (it never decides
 * what is served):
 * - a request with a valid `rdn_visitor` cookie is that cookie's reader;
 * - a browser without one (it sends Fetch Metadata, `Sec-Fetch-Site`) gets a new random id, in a
 *   cookie sent with the answer: its next request (auto-pay's payment, at once) carries it;
 * - any other client is a program, named by a keyed hash of its address and User-Agent, the same
 *   on its next request whether or not it keeps cookies (none is set for it).
 * A program that kept a browser's cookie is that browser's reader. The address itself is never
 * stored: the hash is keyed with a key derived from the session secret and cut to 128 bits.
 */
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { z } from "zod";
import { clientIp } from "@/lib/relay/client-ip";
import { parseCookies } from "./cookies";

/** Name of the HttpOnly cookie that holds a browser's reader id. */
export const VISITOR_COOKIE = "rdn_visitor";

/** How long a browser keeps its reader id: a year from the answer that set it. */
export const VISITOR_MAX_AGE_SECONDS = 365 * 86_400;

/** A reader id as the cookie carries it: 16 random bytes, base64url. */
export const visitorIdSchema = z.string().regex(/^[A-Za-z0-9_-]{22}$/);

/** Prefix of a program's id; never the start of a cookie id. */
const PROGRAM_PREFIX = "p:";

/** The reader of a request. */
export interface Visitor {
  /** The id the reader's marks are stored under. */
  id: string;
  /** `Set-Cookie` value to send with the answer: a new browser id. */
  setCookie?: string;
}

let cachedKey: { secret: string; key: Buffer } | undefined;

function visitorKey(secret: string): Buffer {
  if (cachedKey?.secret !== secret) {
    cachedKey = {
      secret,
      key: Buffer.from(hkdfSync("sha256", secret, "rdn-visitor", "visitor-v1", 32)),
    };
  }
  return cachedKey.key;
}

/** The `rdn_visitor` value of a Cookie header, when it is a well-formed id. */
function cookieId(cookieHeader: string | null): string | undefined {
  if (!cookieHeader?.includes(VISITOR_COOKIE)) return undefined;
  const parsed = visitorIdSchema.safeParse(parseCookies(cookieHeader).get(VISITOR_COOKIE));
  return parsed.success ? parsed.data : undefined;
}

/** Program ids already computed, by secret, address and User-Agent (bounded: cleared when full). */
const programIds = new Map<string, string>();
const MAX_PROGRAM_IDS = 10_000;

/** The id of a program: a keyed hash of its address and User-Agent. */
export function programVisitorId(secret: string, address: string, userAgent: string): string {
  const input = `${address}\n${userAgent}`;
  const key = `${secret}\n${input}`;
  const known = programIds.get(key);
  if (known) return known;
  const tag = createHmac("sha256", visitorKey(secret)).update(input).digest("base64url");
  const id = `${PROGRAM_PREFIX}${tag.slice(0, 22)}`;
  if (programIds.size >= MAX_PROGRAM_IDS) programIds.clear();
  programIds.set(key, id);
  return id;
}

/** The `Set-Cookie` value giving a browser `id`. */
export function visitorCookie(req: Request, id: string): string {
  const secure = req.url.startsWith("https:") ? "; Secure" : "";
  return `${VISITOR_COOKIE}=${id}; Path=/; Max-Age=${VISITOR_MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}

/**
 * The reader of `req` (see the module comment); `secret` keys the hash of a program's address.
 *
 * @example
 * const { id, setCookie } = identifyVisitor(req, env().SESSION_SECRET!);
 */
export function identifyVisitor(req: Request, secret: string): Visitor {
  const fromCookie = cookieId(req.headers.get("cookie"));
  if (fromCookie) return { id: fromCookie };
  if (req.headers.has("sec-fetch-site")) {
    const id = randomBytes(16).toString("base64url");
    return { id, setCookie: visitorCookie(req, id) };
  }
  return { id: programVisitorId(secret, clientIp(req), req.headers.get("user-agent") ?? "") };
}
