import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { getAddress, isAddress, type Address } from "viem";

/** Name of the HttpOnly cookie that lets a reader re-open a paid article without paying again. */
export const RECEIPT_COOKIE = "rdn_receipt";

/** Derives the receipt-signing key from the session secret (or, without one, the receiver key). */
export function receiptKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "rdn-receipt", "receipt-v1", 32));
}

function mac(key: Buffer, sender: string, resource: string, expires: number): string {
  return createHmac("sha256", key).update(`${sender}\n${resource}\n${expires}`).digest("base64url");
}

/** A receipt value bound to the sender and the resource, valid until `expires` (unix seconds). */
export function createReceipt(
  key: Buffer,
  sender: Address,
  resource: string,
  expires: number,
): string {
  return `${sender}.${expires}.${mac(key, sender, resource, expires)}`;
}

/**
 * The sender a receipt was issued to, when the receipt is authentic, unexpired and for this
 * resource; undefined otherwise.
 */
export function verifyReceipt(
  key: Buffer,
  value: string,
  resource: string,
  now = Date.now(),
): Address | undefined {
  const [sender, exp, tag] = value.split(".");
  if (!sender || !exp || !tag || !isAddress(sender, { strict: false }) || !/^\d{1,12}$/.test(exp))
    return undefined;
  const expires = Number(exp);
  if (expires * 1000 <= now) return undefined;
  const expected = Buffer.from(mac(key, sender, resource, expires));
  const given = Buffer.from(tag);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return getAddress(sender);
}
