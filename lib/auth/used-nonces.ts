/**
 * The replay guard shared by SIWE sign-in and signed close requests: a nonce is recorded in
 * `AuthNonce` when it is used and kept until it expires. Only used nonces are stored, and each one
 * took a valid signature, so the table holds at most what was signed in the last few minutes.
 */
import { db } from "@/lib/db/client";

/** What a nonce authenticated: a sign-in or a close request. */
export type NonceKind = "siwe" | "close";

/** Whether `nonce` of `kind` was already used (and has not expired yet). */
export async function isNonceUsed(
  kind: NonceKind,
  nonce: string,
  now = new Date(),
): Promise<boolean> {
  const row = await db().authNonce.findUnique({ where: { kind_nonce: { kind, nonce } } });
  return row !== null && row.expiresAt > now;
}

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === "P2002";
}

/**
 * Records `nonce` as used until `expiresAt` and purges expired entries. Atomic: of two concurrent
 * uses of one nonce exactly one returns true.
 *
 * @returns false when the nonce was already used
 */
export async function consumeNonce(
  kind: NonceKind,
  nonce: string,
  expiresAt: Date,
  now = new Date(),
): Promise<boolean> {
  await db().authNonce.deleteMany({ where: { expiresAt: { lte: now } } });
  try {
    await db().authNonce.create({ data: { kind, nonce, expiresAt } });
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}
