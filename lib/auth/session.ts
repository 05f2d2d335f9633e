/**
 * The operator/reader session: an iron-session sealed cookie `rdn_session` holding
 * `{ address, issuedAt }`. Read from and written to the Request/Response directly (no
 * `next/headers`), so route handlers stay callable outside a Next request (tests, scripts).
 * Sessions are stateless: logout clears the cookie but cannot revoke a copy of it.
 */
import { sealData, unsealData } from "iron-session";
import { getAddress, type Address } from "viem";
import { z } from "zod";
import { env } from "@/lib/env";
import { ConfigError } from "@/lib/errors";
import { addressSchema } from "@/lib/protocol/wire";

/** Name of the session cookie. */
export const SESSION_COOKIE = "rdn_session";
/** Lifetime of a session: 7 days. */
export const SESSION_TTL_SECONDS = 7 * 24 * 60 * 60;

/** What the sealed cookie holds. */
export const sessionSchema = z.object({
  address: addressSchema,
  /** Milliseconds since the epoch. */
  issuedAt: z.number().int().nonnegative(),
});
export type Session = z.infer<typeof sessionSchema>;

/** The session secret, or a {@link ConfigError} (503) explaining that sign-in is disabled. */
export function sessionSecret(): string {
  const secret = env().SESSION_SECRET;
  if (!secret) {
    throw new ConfigError(
      "sign-in is disabled: set SESSION_SECRET (at least 32 characters) in the server environment",
    );
  }
  return secret;
}

/** The value of cookie `name` in a `Cookie` request header, if present. */
export function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookieAttributes(maxAge: number): string {
  const secure = new URL(env().SITE_URL).protocol === "https:" ? "; Secure" : "";
  return `Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure}`;
}

/**
 * Seals a new session for `address` and returns the `Set-Cookie` header value.
 *
 * @throws {@link ConfigError} when SESSION_SECRET is not set
 */
export async function createSessionCookie(address: Address, now = Date.now()): Promise<string> {
  const session: Session = { address: getAddress(address), issuedAt: now };
  const sealed = await sealData(session, { password: sessionSecret(), ttl: SESSION_TTL_SECONDS });
  return `${SESSION_COOKIE}=${sealed}; ${cookieAttributes(SESSION_TTL_SECONDS)}`;
}

/** The `Set-Cookie` header value that deletes the session cookie. */
export function clearSessionCookie(): string {
  return `${SESSION_COOKIE}=; ${cookieAttributes(0)}`;
}

/**
 * The session carried by a request's cookie; `null` when there is none, it does not unseal (wrong
 * secret, tampered), or it is older than {@link SESSION_TTL_SECONDS}. Without SESSION_SECRET every
 * request is anonymous.
 */
export function readSession(req: Request, now = Date.now()): Promise<Session | null> {
  return readSessionCookie(readCookie(req.headers.get("cookie"), SESSION_COOKIE), now);
}

/** The session sealed in an `rdn_session` cookie value (see {@link readSession}). */
export async function readSessionCookie(
  sealed: string | undefined,
  now = Date.now(),
): Promise<Session | null> {
  const secret = env().SESSION_SECRET;
  if (!secret || !sealed) return null;
  let data: unknown;
  try {
    data = await unsealData(sealed, { password: secret, ttl: SESSION_TTL_SECONDS });
  } catch {
    return null;
  }
  const parsed = sessionSchema.safeParse(data);
  if (!parsed.success) return null;
  const age = now - parsed.data.issuedAt;
  if (age < 0 || age > SESSION_TTL_SECONDS * 1000) return null;
  return parsed.data;
}
