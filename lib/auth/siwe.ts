/**
 * Sign-In with Ethereum (EIP-4361) for the operator API and readers: single-use nonces stored in
 * `AuthNonce`, message checks (domain, chain, nonce, validity window) and the signature check
 * (EOA by local recovery; smart-contract wallets through the chain via ERC-1271/ERC-6492).
 */
import { getAddress, verifyMessage, type Address, type Hex } from "viem";
import { generateSiweNonce, parseSiweMessage } from "viem/siwe";
import { z } from "zod";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { BadRequestError, ChainUnavailableError } from "@/lib/errors";

/** How long an issued nonce can be used. */
export const NONCE_TTL_MS = 10 * 60 * 1000;

/** Body of `POST /api/1/auth/verify`. */
export const signInRequestSchema = z.object({
  message: z.string().min(1).max(4096),
  signature: z.string().regex(/^0x([0-9a-fA-F]{2})+$/, "must be 0x-prefixed hex"),
});
export type SignInRequest = z.infer<typeof signInRequestSchema>;

/**
 * Issues a fresh single-use nonce (valid {@link NONCE_TTL_MS}) and purges expired ones.
 *
 * @example
 * const { nonce } = await issueNonce();
 * const message = createSiweMessage({ domain, address, uri, version: "1", chainId, nonce });
 */
export async function issueNonce(now = new Date()): Promise<{ nonce: string; expiresAt: Date }> {
  const nonce = generateSiweNonce();
  const expiresAt = new Date(now.getTime() + NONCE_TTL_MS);
  await db().authNonce.deleteMany({ where: { expiresAt: { lt: now } } });
  await db().authNonce.create({ data: { nonce, expiresAt } });
  return { nonce, expiresAt };
}

/**
 * The SIWE `domain` values accepted: the host of SITE_URL, and outside production also the
 * request's own Host (so `localhost` and `127.0.0.1` both work in development). Production trusts
 * only SITE_URL: a client can send any Host header, which would let a phishing site's message pass.
 */
export function acceptedDomains(req: Request): string[] {
  const domains = [new URL(env().SITE_URL).host];
  const host = req.headers.get("host") ?? new URL(req.url).host;
  if (env().NODE_ENV !== "production" && host && !domains.includes(host)) domains.push(host);
  return domains;
}

function reject(reason: string): never {
  throw new BadRequestError(`sign-in failed: ${reason}`, 401);
}

async function signatureMatches(
  address: Address,
  message: string,
  signature: Hex,
): Promise<boolean> {
  try {
    if (await verifyMessage({ address, message, signature })) return true;
  } catch {
    // not a 65-byte ECDSA signature: may still be a smart-contract wallet's
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

/**
 * Verifies a signed SIWE message and consumes its nonce.
 *
 * @param req - the sign-in request (its Host is an accepted domain outside production)
 * @returns the checksummed signed-in address
 * @throws {@link BadRequestError} 401 naming what failed: domain, chain, nonce (unknown, expired or
 *   already used), validity window, or signature
 */
export async function verifySignIn(
  req: Request,
  body: SignInRequest,
  now = new Date(),
): Promise<Address> {
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
  const domains = acceptedDomains(req);
  if (!domains.includes(fields.domain))
    reject(`domain ${fields.domain} is not ${domains.join(" or ")}`);
  const chainId = (await chainConfig()).deployment.chainId;
  if (fields.chainId !== chainId) reject(`chain ID ${fields.chainId} is not ${chainId}`);
  if (fields.issuedAt && Number.isNaN(fields.issuedAt.getTime()))
    reject("Issued At is not a valid date");
  if (fields.expirationTime) {
    const t = fields.expirationTime.getTime();
    if (Number.isNaN(t) || t <= now.getTime()) reject("message has expired");
  }
  if (fields.notBefore) {
    const t = fields.notBefore.getTime();
    if (Number.isNaN(t) || t > now.getTime()) reject("message is not valid yet");
  }
  const stored = await db().authNonce.findUnique({ where: { nonce: fields.nonce } });
  if (!stored || stored.expiresAt <= now) reject("unknown, expired or already used nonce");

  const address = getAddress(fields.address);
  if (!(await signatureMatches(address, body.message, body.signature as Hex))) {
    reject(`signature is not by ${address}`);
  }
  // Consume the nonce last and atomically: of two concurrent uses only one deletes the row.
  const { count } = await db().authNonce.deleteMany({
    where: { nonce: fields.nonce, expiresAt: { gt: now } },
  });
  if (count !== 1) reject("unknown, expired or already used nonce");
  return address;
}
