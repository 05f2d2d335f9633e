/**
 * zod schemas of every protocol value that crosses a boundary (headers, JSON, cookies, env,
 * files): one definition each, so the server, the payer core and the scripts check them alike.
 * Amounts are decimal strings on the wire and `bigint` after parsing; addresses are checksummed.
 */
import { getAddress, isAddress, isHex, type Address, type Hex } from "viem";
import { z } from "zod";

export const MAX_UINT32 = 2n ** 32n - 1n;
export const MAX_UINT192 = 2n ** 192n - 1n;

/** A 20-byte address in any case → checksummed. */
export const addressSchema = z
  .string()
  .trim()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte address")
  .transform((v): Address => getAddress(v));

/** A uint192 as a decimal string (at most 58 digits) → bigint. */
export const uint192Schema = z
  .string()
  .trim()
  .regex(/^[0-9]{1,58}$/, "must be a decimal integer between 0 and 2^192-1")
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_UINT192, "must be a decimal integer between 0 and 2^192-1");

/** A uint192 given as a decimal string or a safe JSON integer (request bodies) → bigint. */
export const uint192InputSchema = z.union([
  uint192Schema,
  z
    .number()
    .int()
    .nonnegative()
    .refine((v) => Number.isSafeInteger(v), "must be a safe integer; send larger values as strings")
    .transform((v) => BigInt(v)),
]);

/** A channel's open block: 1 … 2^32−1, as a decimal string → number. */
export const openBlockSchema = z
  .string()
  .trim()
  .regex(/^[0-9]{1,10}$/, "must be a block number between 1 and 2^32-1")
  .transform((v) => Number(v))
  .refine((v) => v >= 1 && BigInt(v) <= MAX_UINT32, "must be a block number between 1 and 2^32-1");

/** A 65-byte `r ‖ s ‖ v` signature as 0x-hex → lower-case hex. */
export const signatureSchema = z
  .string()
  .trim()
  .regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature as 0x-hex (132 characters)")
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
