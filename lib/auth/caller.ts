/**
 * Who is calling the API: the operator (receiver, a configured admin, or the bearer API token),
 * a signed-in reader, or nobody.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isAddressEqual, type Address } from "viem";
import { receiverAccount } from "@/lib/chain/config";
import { env } from "@/lib/env";
import { BadRequestError } from "@/lib/errors";
import { readSession } from "./session";

/** The authenticated identity of a request. `address` is absent for the bearer token. */
export type Caller =
  | { kind: "operator"; address?: Address }
  | { kind: "user"; address: Address }
  | { kind: "anonymous" };

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

function bearerToken(req: Request): string | undefined {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Identifies the caller: `Authorization: Bearer <API_TOKEN>` → operator; otherwise the SIWE
 * session cookie → operator (receiver/admin) or user; otherwise anonymous. A wrong bearer token
 * does not authenticate (the session, if any, still applies).
 */
export async function getCaller(req: Request): Promise<Caller> {
  const token = bearerToken(req);
  const expected = env().API_TOKEN;
  if (token && expected && safeEqual(token, expected)) return { kind: "operator" };
  const session = await readSession(req);
  if (!session) return { kind: "anonymous" };
  return isOperatorAddress(session.address)
    ? { kind: "operator", address: session.address }
    : { kind: "user", address: session.address };
}

const UNAUTHENTICATED =
  "authentication required: sign in with Ethereum as the operator, or send Authorization: Bearer <API_TOKEN>";

/**
 * The caller, if it is the operator.
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as someone else
 */
export async function requireOperator(req: Request): Promise<Caller & { kind: "operator" }> {
  const caller = await getCaller(req);
  if (caller.kind === "operator") return caller;
  if (caller.kind === "user") {
    throw new BadRequestError(`forbidden: ${caller.address} is not an operator of this site`, 403);
  }
  throw new BadRequestError(UNAUTHENTICATED, 401);
}

/**
 * The caller, if it is the operator or signed in as `sender`.
 *
 * @throws {@link BadRequestError} 401 when not authenticated, 403 when signed in as another address
 */
export async function requireSenderOrOperator(req: Request, sender: Address): Promise<Caller> {
  const caller = await getCaller(req);
  if (caller.kind === "operator") return caller;
  if (caller.kind === "user") {
    if (isAddressEqual(caller.address, sender)) return caller;
    throw new BadRequestError(
      `forbidden: signed in as ${caller.address}, not as the sender ${sender}`,
      403,
    );
  }
  throw new BadRequestError(
    "authentication required: sign in with Ethereum as the sender (or as the operator)",
    401,
  );
}
