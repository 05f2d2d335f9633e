/**
 * Who is calling the API: the operator (receiver, a configured admin, or the bearer API token),
 * a signed-in reader, or nobody.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isAddressEqual, type Address } from "viem";
import { receiverAccount } from "@/lib/chain/config";
import { env } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";
import { readSessionCookie, SESSION_COOKIE, readCookie } from "./session";

/** The authenticated identity of a request. `address` is absent for the bearer token. */
export type Caller =
  | { kind: "operator"; address?: Address }
  | { kind: "user"; address: Address }
  | { kind: "anonymous" };
export type OperatorCaller = Caller & { kind: "operator" };

/** Whether `address` may operate the site: the receiver or one of ADMIN_ADDRESSES. */
export function isOperatorAddress(address: Address): boolean {
  if (isAddressEqual(address, receiverAccount().address)) return true;
  return env().ADMIN_ADDRESSES.some((a) => isAddressEqual(a, address));
}

/** Constant-time string comparison (hashing first makes the lengths equal). */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb);
}

function bearerToken(authorization: string | null | undefined): string | undefined {
  const match = authorization?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/** The routes the bearer API token is for: the operator REST API. */
export const API_TOKEN_PATH = "/api/1/";

/**
 * Whether a request to `url` may authenticate with the bearer API token: only the `/api/1`
 * routes it was made for. The admin pages, their server actions and their routes (the CSV
 * export) need a signed-in operator.
 */
export function acceptsApiToken(url: string): boolean {
  return new URL(url).pathname.startsWith(API_TOKEN_PATH);
}

/** What identifies a caller: the `Authorization` header and the session cookie's value. */
export interface Credentials {
  /** Passed only where the API token is accepted (see {@link acceptsApiToken}). */
  authorization?: string | null;
  /** The sealed `rdn_session` cookie value. */
  session?: string | null;
}

/**
 * Identifies the caller from its credentials: `Authorization: Bearer <API_TOKEN>` → operator
 * (callers pass the header only on the `/api/1` routes, {@link acceptsApiToken});
 * otherwise the SIWE session cookie → operator (receiver/admin) or user; otherwise anonymous. A
 * wrong bearer token does not authenticate (the session, if any, still applies). Route handlers
 * use {@link getCaller}; React Server Components and server actions `lib/auth/server.ts`.
 */
export async function callerFrom(credentials: Credentials): Promise<Caller> {
  const token = bearerToken(credentials.authorization);
  const expected = env().API_TOKEN;
  if (token && expected && safeEqual(token, expected)) return { kind: "operator" };
  const session = await readSessionCookie(credentials.session ?? undefined);
  if (!session) return { kind: "anonymous" };
  return isOperatorAddress(session.address)
    ? { kind: "operator", address: session.address }
    : { kind: "user", address: session.address };
}

/** The caller of a route handler (see {@link callerFrom}); the API token counts on `/api/1` only. */
export function getCaller(req: Request): Promise<Caller> {
  return callerFrom({
    authorization: acceptsApiToken(req.url) ? req.headers.get("authorization") : undefined,
    session: readCookie(req.headers.get("cookie"), SESSION_COOKIE),
  });
}

/** Who may call an operation: the operator, the operator or the named sender, or anybody. */
export type AuthRule =
  { kind: "operator" } | { kind: "sender"; sender: Address } | { kind: "none" };

/**
 * Checks `caller` against `rule`.
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as someone else
 */
export function authorize(caller: Caller, rule: AuthRule): void {
  if (rule.kind === "none" || caller.kind === "operator") return;
  if (rule.kind === "operator") {
    if (caller.kind === "user") {
      throw new BadRequestError(
        `forbidden: ${caller.address} is not an operator of this site`,
        403,
      );
    }
    throw new BadRequestError(UNAUTHENTICATED, 401);
  }
  if (caller.kind === "user") {
    if (isAddressEqual(caller.address, rule.sender)) return;
    throw new BadRequestError(
      `forbidden: signed in as ${caller.address}, not as the sender ${rule.sender}`,
      403,
    );
  }
  throw new BadRequestError(
    "authentication required: sign in with Ethereum as the sender (or as the operator)",
    401,
  );
}

const UNAUTHENTICATED =
  "authentication required: sign in with Ethereum as the operator, or send Authorization: Bearer <API_TOKEN>";

/**
 * The caller, if it is the operator.
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as someone else
 */
export async function requireOperator(req: Request): Promise<OperatorCaller> {
  const caller = await getCaller(req);
  authorize(caller, { kind: "operator" });
  return caller as OperatorCaller;
}

/**
 * The caller, if it is the operator or signed in as `sender`.
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as another address
 */
export async function requireSenderOrOperator(req: Request, sender: Address): Promise<Caller> {
  const caller = await getCaller(req);
  authorize(caller, { kind: "sender", sender });
  return caller;
}
