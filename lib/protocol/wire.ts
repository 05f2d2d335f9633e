/**
 * zod schemas of every protocol value that crosses a boundary (headers, JSON, cookies, env,
 * files): one definition each, so the server, the payer core and the scripts check them alike.
 * Amounts are decimal strings on the wire and `bigint` after parsing; addresses are checksummed.
 */
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { z } from "zod";

export const MAX_UINT32 = 2n ** 32n - 1n;
export const MAX_UINT192 = 2n ** 192n - 1n;

/**
 * Longest decimal string accepted (leading zeros included): bounds the work a hostile value can
 * cause while still reading any zero-padded uint192.
 */
export const MAX_DECIMAL_DIGITS = 80;

const UINT192_MESSAGE = "must be a decimal integer between 0 and 2^192-1";
const OPEN_BLOCK_MESSAGE = "must be a block number between 1 and 2^32-1";

/** Decimal digits only (no sign, exponent or fraction), `min` … `max`, → bigint. */
function decimalSchema(min: bigint, max: bigint, message: string, typeMessage = message) {
  return z
    .string(typeMessage)
    .trim()
    .max(MAX_DECIMAL_DIGITS, message)
    .regex(/^[0-9]+$/, message)
    .transform((v) => BigInt(v))
    .refine((v) => v >= min && v <= max, message);
}

/** A 20-byte address in any case → checksummed. */
export const addressSchema = z
  .string()
  .trim()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte address")
  .transform((v): Address => getAddress(v));

/** A uint192 as a decimal string → bigint. */
export const uint192Schema = decimalSchema(0n, MAX_UINT192, UINT192_MESSAGE);

/**
 * A uint192 given as a decimal string or a non-negative safe JSON integer (request bodies) →
 * bigint. Larger values must be strings: JSON numbers above 2^53 have already lost digits.
 */
export const uint192InputSchema = z.preprocess(
  (v) => (typeof v === "number" && Number.isSafeInteger(v) && v >= 0 ? v.toString() : v),
  decimalSchema(
    0n,
    MAX_UINT192,
    UINT192_MESSAGE,
    `${UINT192_MESSAGE}, as a string or a safe JSON integer`,
  ),
);

/** A channel's open block: 1 … 2^32−1, as a decimal string → number. */
export const openBlockSchema = decimalSchema(1n, MAX_UINT32, OPEN_BLOCK_MESSAGE).transform((v) =>
  Number(v),
);

/** A 65-byte `r ‖ s ‖ v` signature as 0x-hex → lower-case hex. */
export const signatureSchema = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature as 0x-hex (132 characters)")
  .transform((v) => v.toLowerCase() as Hex);

/** 32 bytes as 0x-hex (a nonce, a block hash) → lower-case hex. */
export const bytes32Schema = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x-prefixed 32-byte hex")
  .transform((v) => v.toLowerCase() as Hex);

/** A 32-byte private key as 0x-hex. */
export const privateKeySchema = z
  .string()
  .trim()
  .refine((v) => isHex(v) && v.length === 66, "must be a 0x-prefixed 32-byte hex private key")
  .transform((v) => v as Hex);

/** A positive chain id as a decimal string → number. */
export const chainIdSchema = z
  .string()
  .trim()
  .regex(/^[1-9][0-9]{0,15}$/, "must be a positive decimal chain id")
  .transform((v) => Number(v))
  .refine((v) => Number.isSafeInteger(v), "must be a positive decimal chain id");

/** A channel's state as the API reports it (PROTOCOL.md §3). */
export const channelStateSchema = z.enum(["open", "closing", "settled"]);
export type ChannelStateValue = z.infer<typeof channelStateSchema>;
