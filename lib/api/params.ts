/**
 * zod schemas of the `/api/1` inputs (path params, query, bodies) and the one helper that turns a
 * failed parse into a 400 naming the field. Protocol values (addresses, open blocks, amounts,
 * signatures, nonces) use the wire schemas of `lib/protocol/wire.ts`.
 */
import { z } from "zod";
import { BadRequestError } from "@/lib/errors";
import { readBodyText } from "./body";
import {
  addressSchema,
  bytes32Schema,
  openBlockSchema,
  signatureSchema,
  uint192InputSchema,
} from "@/lib/protocol/wire";

/** `?status=` of the channel listings. */
export const channelStatusSchema = z
  .enum(["open", "closing", "settled", "all"], {
    error: "must be one of open, closing, settled, all",
  })
  .default("open");
export type ChannelStatus = z.infer<typeof channelStatusSchema>;

/** Path params of `/api/1/channels/:sender`. */
export const senderParamsSchema = z.object({ sender: addressSchema });
/** Path params of `/api/1/channels/:sender/:open_block`. */
export const channelParamsSchema = z.object({ sender: addressSchema, open_block: openBlockSchema });

const MAX_UINT64 = 2n ** 64n - 1n;

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
  balance: uint192InputSchema,
  /**
   * BalanceProof of `balance`; may be left out by an authenticated sender or signer when `balance`
   * is the site's last accepted one (the site's own copy of that proof is used and returned).
   */
  balance_signature: signatureSchema.optional(),
  /** Absent when the caller is signed in (rdn_session) as the sender or the channel's signer. */
  close_request: closeAuthorizationSchema.optional(),
});
export type CloseRequest = z.infer<typeof closeRequestSchema>;

/** The EIP-3009 fields of a relayed open's or top-up's body. */
const relayAuthorizationFields = {
  salt: bytes32Schema,
  valid_after: unixSecondsSchema,
  valid_before: unixSecondsSchema,
  signature: signatureSchema,
};

/**
 * Body of `POST /api/1/channels` (relayed open): the sender's ReceiveWithAuthorization of
 * `deposit` to the channel contract with nonce `keccak256(abi.encode(receiver, signer, salt))`.
 */
export const relayOpenSchema = z.object({
  sender: addressSchema,
  deposit: uint192InputSchema,
  /** The channel's signer as signed; `0x0…0` means the sender. */
  signer: addressSchema,
  ...relayAuthorizationFields,
});
export type RelayOpenBody = z.infer<typeof relayOpenSchema>;

/** Body of `POST /api/1/channels/:sender/:open_block/topups` (relayed top-up). */
export const relayTopUpSchema = z.object({
  amount: uint192InputSchema,
  ...relayAuthorizationFields,
});
export type RelayTopUpBody = z.infer<typeof relayTopUpSchema>;

/** Body of `POST /api/1/faucet`: the address that gets the test tokens. */
export const faucetBodySchema = z.object({ address: addressSchema });
export type FaucetBody = z.infer<typeof faucetBodySchema>;

/** Path params of `/api/1/relays/:tx_hash`. */
export const relayParamsSchema = z.object({ tx_hash: bytes32Schema });

/**
 * Parses untrusted input; on failure throws a 400 `BadRequestError` whose message starts with the
 * offending field, e.g. `balance_signature: must be a 65-byte signature as 0x-hex (132 characters)`.
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

/** Parses a JSON body's text; malformed JSON is a 400 naming the body. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequestError("body: must be a JSON object");
  }
}

/** Reads a JSON request body (at most 64 KiB, else 413); a missing or malformed body is a 400. */
export async function readJsonBody(req: Request): Promise<unknown> {
  return parseJsonBody(await readBodyText(req));
}

/** Body of `POST /api/1/withdraw` (empty body = withdraw every positive amount). */
export const withdrawRequestSchema = z.object({ minimum: uint192InputSchema.default(1n) });
