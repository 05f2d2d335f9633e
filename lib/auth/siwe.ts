/**
 * Sign-In with Ethereum (EIP-4361) for the operator API and readers: stateless nonces (an expiry
 * and an HMAC, so issuing one stores nothing), message checks (domain, URI, chain, nonce, issue
 * time, validity window), the replay guard (used nonces are kept until they expire) and the
 * signature check (EOA by local recovery; smart-contract wallets through the chain via
 * ERC-1271/ERC-6492).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { getAddress, verifyMessage, type Address, type Hex } from "viem";
import { parseSiweMessage } from "viem/siwe";
import { z } from "zod";
import { chainConfig } from "@/lib/chain/config";
import { env } from "@/lib/env";
import { BadRequestError, ChainUnavailableError } from "@/lib/errors";
import { sessionSecret } from "./session";
import { consumeNonce, isNonceUsed } from "./used-nonces";

/** How long an issued nonce can be used, and the oldest `Issued At` accepted. */
export const NONCE_TTL_MS = 10 * 60 * 1000;
/** How far in the future a message's `Issued At` may be (the signer's clock may run ahead). */
export const CLOCK_SKEW_MS = 60 * 1000;

/** Body of `POST /api/1/auth/verify`. */
export const signInRequestSchema = z.object({
  message: z.string().min(1).max(4096),
  signature: z
    .string()
    .max(32_768, "must be at most 16 KiB")
    .regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex"),
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

// Nonce layout (32 bytes as 64 lower-case hex digits, which EIP-4361's alphanumeric nonce allows):
// expiry in seconds (6 bytes, big-endian) ‖ random (10 bytes) ‖ HMAC-SHA256 of the first 16 (16).
const NONCE_RE = /^[0-9a-f]{64}$/;

function nonceKey(): Buffer {
  return Buffer.from(hkdfSync("sha256", sessionSecret(), "rdn-siwe-nonce", "siwe-nonce-v1", 32));
}

function nonceMac(key: Buffer, body: Buffer): Buffer {
  return createHmac("sha256", key).update(body).digest().subarray(0, 16);
}

/**
 * Issues a fresh single-use nonce valid for {@link NONCE_TTL_MS}. Nothing is stored: the nonce
 * carries its expiry and an HMAC under a key derived from SESSION_SECRET.
 *
 * @throws {@link ConfigError} (503) when SESSION_SECRET is not set (sign-in is disabled)
 * @example
 * const { nonce } = issueNonce();
 * const message = createSiweMessage({ domain, address, uri, version: "1", chainId, nonce, issuedAt });
 */
export function issueNonce(now = new Date()): { nonce: string; expiresAt: Date } {
  const key = nonceKey();
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  const body = Buffer.alloc(16);
  body.writeUIntBE(Math.ceil(expiresAt.getTime() / 1000), 0, 6);
  randomBytes(10).copy(body, 6);
  const nonce = Buffer.concat([body, nonceMac(key, body)]).toString("hex");
  return { nonce, expiresAt: new Date(body.readUIntBE(0, 6) * 1000) };
}

/** The expiry of a nonce this site issued, or null when it is not one (or SESSION_SECRET changed). */
export function nonceExpiry(nonce: string): Date | null {
  if (!NONCE_RE.test(nonce)) return null;
  const bytes = Buffer.from(nonce, "hex");
  const body = bytes.subarray(0, 16);
  if (!timingSafeEqual(bytes.subarray(16), nonceMac(nonceKey(), body))) return null;
  return new Date(body.readUIntBE(0, 6) * 1000);
}

/**
 * The SIWE `domain` values accepted: the host of SITE_URL and the SIWE_ALLOWED_DOMAINS entries.
 * The request's Host header is never trusted: a client can send any Host, which would let a
 * message signed for a phishing site pass.
 */
export function acceptedDomains(): string[] {
  const domains = [new URL(env().SITE_URL).host];
  for (const d of env().SIWE_ALLOWED_DOMAINS) {
    const host = d.toLowerCase();
    if (!domains.includes(host)) domains.push(host);
  }
  return domains;
}

/**
 * Whether a message's `URI` belongs to this site: on SITE_URL's origin, or an http(s) URI on an
 * allowed domain.
 */
function uriAccepted(uri: string): boolean {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return false;
  }
  const site = new URL(env().SITE_URL);
  if (url.origin === site.origin) return true;
  return (
    (url.protocol === "http:" || url.protocol === "https:") &&
    env().SIWE_ALLOWED_DOMAINS.some((d) => d.toLowerCase() === url.host)
  );
}

function reject(reason: string): never {
  throw new BadRequestError(`sign-in failed: ${reason}`, 401);
}

/** A 65-byte `r ‖ s ‖ v` signature: what an externally owned account produces. */
const ECDSA_SIGNATURE_RE = /^0x[0-9a-fA-F]{130}$/;

/**
 * Whether `signature` signs `message` for `address`. A 65-byte ECDSA signature is checked by local
 * recovery only, and its failure is final: it costs no RPC call. Any other signature (a contract
 * wallet's ERC-1271 signature, or ERC-6492 for one not deployed yet) is checked on chain.
 */
async function signatureMatches(
  address: Address,
  message: string,
  signature: Hex,
): Promise<boolean> {
  if (ECDSA_SIGNATURE_RE.test(signature)) {
    try {
      return await verifyMessage({ address, message, signature });
    } catch {
      return false; // r or s not on the curve
    }
  }
  try {
    return await (await chainConfig()).publicClient.verifyMessage({ address, message, signature });
  } catch (cause) {
    throw new ChainUnavailableError(
      "cannot verify the signature: the chain RPC is unreachable",
      cause,
    );
  }
}

function checkWindow(
  fields: ReturnType<typeof parseSiweMessage>,
  now: Date,
): asserts fields is typeof fields & { issuedAt: Date } {
  const t = now.getTime();
  if (!fields.issuedAt || Number.isNaN(fields.issuedAt.getTime()))
    reject("Issued At is required and must be an RFC 3339 date-time");
  const issued = fields.issuedAt.getTime();
  if (issued > t + CLOCK_SKEW_MS) reject("Issued At is in the future");
  if (issued < t - NONCE_TTL_MS) reject("Issued At is older than the nonce lifetime (10 minutes)");
  if (fields.expirationTime) {
    const e = fields.expirationTime.getTime();
    if (Number.isNaN(e) || e <= t) reject("message has expired");
  }
  if (fields.notBefore) {
    const nb = fields.notBefore.getTime();
    if (Number.isNaN(nb) || nb > t) reject("message is not valid yet");
  }
}

/**
 * Verifies a signed SIWE message and consumes its nonce.
 *
 * @returns the checksummed signed-in address
 * @throws {@link BadRequestError} 401 naming what failed: domain, URI, chain, Issued At, validity
 *   window, nonce (unknown, expired or already used), or signature
 * @throws {@link ConfigError} (503) when SESSION_SECRET is not set
 */
export async function verifySignIn(body: SignInRequest, now = new Date()): Promise<Address> {
  const fields = parseSiweMessage(body.message);
  if (
    !fields.address ||
    !fields.domain ||
    !fields.nonce ||
    !fields.uri ||
    fields.chainId === undefined
  ) {
    reject("message is not an EIP-4361 message");
  }
  if (fields.version !== "1") reject("message version must be 1");
  const domains = acceptedDomains();
  if (!domains.includes(fields.domain.toLowerCase()))
    reject(`domain ${fields.domain} is not ${domains.join(" or ")}`);
  if (fields.scheme) {
    const site = new URL(env().SITE_URL);
    const expected =
      fields.domain.toLowerCase() === site.host ? [site.protocol.slice(0, -1)] : ["http", "https"];
    if (!expected.includes(fields.scheme))
      reject(`scheme ${fields.scheme} is not ${expected.join(" or ")}`);
  }
  if (!uriAccepted(fields.uri)) reject(`URI ${fields.uri} is not on this site`);
  checkWindow(fields, now);
  const chainId = (await chainConfig()).deployment.chainId;
  if (fields.chainId !== chainId) reject(`chain ID ${fields.chainId} is not ${chainId}`);

  const expiresAt = nonceExpiry(fields.nonce);
  if (!expiresAt || expiresAt <= now) reject("unknown or expired nonce");
  if (await isNonceUsed("siwe", fields.nonce, now)) reject("nonce already used");

  const address = getAddress(fields.address);
  if (!(await signatureMatches(address, body.message, body.signature as Hex))) {
    reject(`signature is not by ${address}`);
  }
  // Consumed last and atomically: of two concurrent uses only one records the nonce.
  if (!(await consumeNonce("siwe", fields.nonce, expiresAt, now))) reject("nonce already used");
  return address;
}
