/**
 * Parsing and validation of the protocol's signature format: 65-byte `r ‖ s ‖ v` as 0x-hex,
 * `v ∈ {27, 28}`, low `s` (PROTOCOL.md §1). Browser-safe: imports only viem.
 *
 * The server is strict on purpose: the contract (OpenZeppelin-style ECDSA) accepts only `v ∈ {27, 28}`
 * and `s ≤ n/2`, so a proof the server accepts must be one the contract will also accept when the
 * receiver later withdraws or closes with it. {@link parseSignatureHex} never "fixes" a signature.
 * {@link normalizeSignature} exists for the signing side only (a wallet that answers with `v ∈ {0, 1}`
 * or high `s`); the server must not use it on incoming proofs.
 */
import type { Hex } from "viem";

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
/** Largest `s` accepted (EIP-2): `n / 2`, rounded down. */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

/** Why a signature hex string was rejected. `range`: `r` or `s` is zero or not below `n`. */
export type SignatureRejection = "hex" | "length" | "v" | "high-s" | "range";

/** A signature that meets the protocol format: 32-byte `r`, low `s`, `v ∈ {27, 28}`. */
export type ParsedSignature = {
  ok: true;
  r: Hex;
  s: Hex;
  v: 27 | 28;
  /** `v - 27`: the recovery id. */
  yParity: 0 | 1;
};

/** Result of {@link parseSignatureHex}: the parts, or the reason for rejection. */
export type ParseSignatureResult = ParsedSignature | { ok: false; reason: SignatureRejection };

const HEX_RE = /^0x[0-9a-fA-F]*$/;
/** `0x` + 130 hex digits. */
export const SIGNATURE_HEX_LENGTH = 132;

/**
 * Whether `s` is in the lower half of the curve order (`s ≤ n/2`, EIP-2). Zero counts as low here;
 * {@link parseSignatureHex} rejects it separately.
 */
export function isLowS(s: bigint | Hex): boolean {
  const value = typeof s === "bigint" ? s : BigInt(s);
  return value <= SECP256K1_HALF_N;
}

/**
 * Parses and strictly validates a protocol signature. Case-insensitive hex; no other lenience.
 *
 * @param hex - untrusted input, e.g. the `RDN-Balance-Signature` header
 * @returns `{ ok: true, r, s, v, yParity }` (r and s lower-case) or `{ ok: false, reason }`
 * @example
 * const sig = parseSignatureHex(header);
 * if (!sig.ok) return { type: "payment-required", reason: "invalid-balance-proof" };
 */
export function parseSignatureHex(hex: string): ParseSignatureResult {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) return { ok: false, reason: "hex" };
  if (hex.length !== SIGNATURE_HEX_LENGTH) return { ok: false, reason: "length" };
  const lower = hex.toLowerCase();
  const v = parseInt(lower.slice(130, 132), 16);
  if (v !== 27 && v !== 28) return { ok: false, reason: "v" };
  const r = BigInt(`0x${lower.slice(2, 66)}`);
  const s = BigInt(`0x${lower.slice(66, 130)}`);
  if (r === 0n || r >= SECP256K1_N || s === 0n) return { ok: false, reason: "range" };
  if (!isLowS(s)) return { ok: false, reason: "high-s" };
  return {
    ok: true,
    r: `0x${lower.slice(2, 66)}`,
    s: `0x${lower.slice(66, 130)}`,
    v,
    yParity: v === 27 ? 0 : 1,
  };
}

/** Serializes parts into the protocol's 65-byte `r ‖ s ‖ v` hex (lower-case). */
export function serializeSignature(parts: { r: Hex | bigint; s: Hex | bigint; v: 27 | 28 }): Hex {
  const word = (x: Hex | bigint) =>
    (typeof x === "bigint" ? x : BigInt(x)).toString(16).padStart(64, "0");
  return `0x${word(parts.r)}${word(parts.s)}${parts.v.toString(16)}`;
}

/**
 * Signing side only: brings a wallet's signature into the protocol format. Maps `v ∈ {0, 1}` to
 * `{27, 28}` and a high `s` to `n − s` with the recovery id flipped (the same signer recovers).
 * The server never calls this: incoming proofs go through {@link parseSignatureHex} unchanged.
 *
 * @returns the canonical signature, or the reason it cannot be one
 */
export function normalizeSignature(
  hex: string,
): { ok: true; signature: Hex } | { ok: false; reason: SignatureRejection } {
  if (typeof hex !== "string" || !HEX_RE.test(hex)) return { ok: false, reason: "hex" };
  if (hex.length !== SIGNATURE_HEX_LENGTH) return { ok: false, reason: "length" };
  const rawV = parseInt(hex.slice(130, 132), 16);
  let yParity: 0 | 1;
  if (rawV === 0 || rawV === 27) yParity = 0;
  else if (rawV === 1 || rawV === 28) yParity = 1;
  else return { ok: false, reason: "v" };
  const r = BigInt(`0x${hex.slice(2, 66)}`);
  let s = BigInt(`0x${hex.slice(66, 130)}`);
  if (r === 0n || r >= SECP256K1_N || s === 0n || s >= SECP256K1_N)
    return { ok: false, reason: "range" };
  if (!isLowS(s)) {
    s = SECP256K1_N - s;
    yParity = yParity === 0 ? 1 : 0;
  }
  return { ok: true, signature: serializeSignature({ r, s, v: yParity === 0 ? 27 : 28 }) };
}
