/**
 * zod schemas of the `/api/1` inputs (path params, query, bodies) and the one helper that turns a
 * failed parse into a 400 naming the field.
 */
import { getAddress, isAddress, type Hex } from "viem";
import { z } from "zod";
import { BadRequestError } from "@/lib/errors";

const MAX_UINT32 = 2 ** 32 - 1;
const MAX_UINT192 = 2n ** 192n - 1n;

/** A 0x address in any case, checksummed. */
export const addressSchema = z
  .string()
  .refine((v) => isAddress(v, { strict: false }), "must be a 0x-prefixed 20-byte address")
  .transform((v) => getAddress(v));

/** `openBlockNumber` as a decimal path segment (`uint32`, > 0). */
export const openBlockSchema = z
  .string()
  .regex(/^[0-9]{1,10}$/, "must be a block number")
  .transform(Number)
  .refine((n) => n > 0 && n <= MAX_UINT32, "must be a block number between 1 and 2^32-1");

/** `?status=` of the channel listings. */
export const channelStatusSchema = z
  .enum(["open", "closing", "settled", "all"], {
    error: "must be one of open, closing, settled, all",
  })
  .default("open");
export type ChannelStatus = z.infer<typeof channelStatusSchema>;

/** A token amount: decimal string or non-negative JSON integer, `uint192`. */
export const amountSchema = z
  .union(
    [
      z.string().regex(/^[0-9]{1,58}$/),
      z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    ],
    {
      error: "must be a decimal string or a non-negative integer",
    },
  )
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_UINT192, "must fit uint192");

/** A 65-byte `r ‖ s ‖ v` signature. */
export const signatureSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{130}$/, "must be a 0x-prefixed 65-byte hex signature")
  .transform((v) => v as Hex);

/** Path params of `/api/1/channels/:sender`. */
export const senderParamsSchema = z.object({ sender: addressSchema });
/** Path params of `/api/1/channels/:sender/:open_block`. */
export const channelParamsSchema = z.object({ sender: addressSchema, open_block: openBlockSchema });

const MAX_UINT64 = 2n ** 64n - 1n;

/** 32 bytes as 0x-hex, lower-cased. */
export const bytes32Schema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x-prefixed 32-byte hex")
  .transform((v) => v.toLowerCase() as Hex);

/** Unix time in seconds: decimal string or non-negative JSON integer, `uint64`. */
export const unixSecondsSchema = z
  .union(
    [
      z.string().regex(/^[0-9]{1,20}$/),
      z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    ],
    { error: "must be unix seconds as a decimal string or a non-negative integer" },
  )
  .transform((v) => BigInt(v))
  .refine((v) => v <= MAX_UINT64, "must fit uint64");

/** `close_request` of a cooperative close: an EIP-712 CloseRequest signed by the sender or signer. */
export const closeAuthorizationSchema = z.object({
  nonce: bytes32Schema,
  expires: unixSecondsSchema,
  signature: signatureSchema,
});
export type CloseAuthorization = z.infer<typeof closeAuthorizationSchema>;

/** Body of `DELETE /api/1/channels/:sender/:open_block`. */
export const closeRequestSchema = z.object({
  balance: amountSchema,
  balance_signature: signatureSchema,
  /** Absent when the caller is signed in (rdn_session) as the sender or the channel's signer. */
  close_request: closeAuthorizationSchema.optional(),
});
export type CloseRequest = z.infer<typeof closeRequestSchema>;

/**
 * Parses untrusted input; on failure throws a 400 `BadRequestError` whose message starts with the
 * offending field, e.g. `balance_signature: must be a 0x-prefixed 65-byte hex signature`.
 *
 * @example
 * const { sender } = parseInput(senderParamsSchema, await ctx.params);
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.join(".") || "body";
  const missing = issue.path.length > 0 && valueAt(input, issue.path) === undefined;
  const message = missing ? "is required" : issue.message;
  throw new BadRequestError(`${field}: ${message}`);
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** Reads a JSON request body; a missing or malformed body is a 400. */
export async function readJsonBody(req: Request): Promise<unknown> {
  try {
    return await req.json();
  } catch {
    throw new BadRequestError("body: must be a JSON object");
  }
}

/** Body of `POST /api/1/withdraw` (empty body = withdraw every positive amount). */
export const withdrawRequestSchema = z.object({ minimum: amountSchema.default(1n) });
