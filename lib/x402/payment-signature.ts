/**
 * The `PAYMENT-SIGNATURE` request header of x402 v2 (docs/protocol.md "x402 envelope"): decoded,
 * checked against this site's own offer for the resource, then settled by the leader. Expected
 * outcomes are values: no header, a malformed one (400), a refused payment (402 with the reason in
 * `PAYMENT-REQUIRED.error`), or a settled one (served with `PAYMENT-RESPONSE`).
 */
import { encodePaymentResponseHeader } from "@x402/core/http";
import type { PaymentPayload, PaymentRequirements } from "@x402/core/types";
import { getAddress, isAddress, type Address, type Hex } from "viem";
import { z } from "zod";
import { onLeader } from "@/lib/cluster/leader-tasks";
import { AppError, BadGatewayError } from "@/lib/errors";
import { RDN_CHANNEL_SCHEME } from "@/lib/protocol/x402-channel";
import { X402_HEADERS, X402_VERSION, type OfferContext } from "./envelope";
import { exactRequirement } from "./exact-offer";
import { decodeHeaderJson } from "./rdn-channel";

/** What became of a request's `PAYMENT-SIGNATURE`. */
export type X402Attempt =
  | { type: "none" }
  | { type: "malformed"; error: string }
  | { type: "refused"; error: string }
  | { type: "paid"; payer: Address; transaction: Hex; network: string; responseHeader: string };

const requirementSchema = z.object({
  scheme: z.string(),
  network: z.string(),
  asset: z.string(),
  amount: z.string(),
  payTo: z.string(),
  maxTimeoutSeconds: z.number(),
  extra: z.record(z.string(), z.unknown()).optional().default({}),
});

const payloadSchema = z.object({
  x402Version: z.number().int(),
  accepted: requirementSchema,
  payload: z.record(z.string(), z.unknown()),
  resource: z.object({ url: z.string() }).passthrough().optional(),
  extensions: z.record(z.string(), z.unknown()).optional(),
});

const MALFORMED = `${X402_HEADERS.signature}: not a base64-encoded x402 payment payload`;

/** Decodes the header; undefined when it is not a payment payload. */
export function parsePaymentSignature(value: string): PaymentPayload | undefined {
  let decoded: unknown;
  try {
    decoded = decodeHeaderJson(value.trim());
  } catch {
    return undefined;
  }
  const parsed = payloadSchema.safeParse(decoded);
  return parsed.success ? (parsed.data as PaymentPayload) : undefined;
}

const same = (a: string, b: string) =>
  isAddress(a, { strict: false }) && getAddress(a) === getAddress(b);

/**
 * Why the payer's `accepted` is not this site's requirement for the resource, or undefined when
 * it is (scheme, network, amount, asset and receiver).
 */
export function requirementMismatch(
  accepted: PaymentRequirements,
  ours: PaymentRequirements,
): string | undefined {
  if (accepted.scheme !== ours.scheme) return `scheme ${accepted.scheme} is not ${ours.scheme}`;
  if (accepted.network !== ours.network)
    return `network ${accepted.network} is not ${ours.network}`;
  if (!/^\d+$/.test(accepted.amount) || BigInt(accepted.amount) !== BigInt(ours.amount))
    return `amount ${accepted.amount} is not the price ${ours.amount}`;
  if (!same(accepted.asset, ours.asset)) return `asset ${accepted.asset} is not ${ours.asset}`;
  if (!same(accepted.payTo, ours.payTo)) return `payTo ${accepted.payTo} is not ${ours.payTo}`;
  return undefined;
}

/** Readable text of the facilitator's reasons a payer may meet. */
const REASON_TEXT: Record<string, string> = {
  invalid_exact_evm_nonce_already_used: "this authorization was already used (its nonce is spent)",
  invalid_exact_evm_signature: "the authorization's signature does not match its payer",
  invalid_exact_evm_recipient_mismatch: "the authorization does not pay this site's receiver",
  invalid_exact_evm_payload_authorization_value_mismatch:
    "the authorization's value is not the price",
  invalid_exact_evm_payload_authorization_valid_before: "the authorization has expired",
  invalid_exact_evm_payload_authorization_valid_after: "the authorization is not valid yet",
  invalid_exact_evm_insufficient_balance: "the payer's token balance is below the price",
  invalid_exact_evm_transaction_simulation_failed: "the token refuses the transfer",
  authorization_in_settlement: "this authorization is already being settled",
  settlement_pending:
    "the transfer was sent but is not mined yet; once it is, send the same PAYMENT-SIGNATURE again to be served without paying twice",
  invalid_exact_evm_transaction_failed: "the transfer reverted on chain",
  gas_budget_spent:
    "the site's daily gas budget for transfers it submits is spent; pay through a channel or later",
  receiver_eth_reserve:
    "the site's ETH is kept for disputes and pays no transfers now; pay through a channel",
};

const reasonText = (reason: string) =>
  `exact: ${REASON_TEXT[reason] ? `${REASON_TEXT[reason]} (${reason})` : reason}`;

/**
 * Handles the request's `PAYMENT-SIGNATURE` for a resource priced `ctx.price`: an `exact` payment
 * matching this site's offer is settled on chain by the leader (the transfer is mined before
 * this resolves) and recorded under `resource`.
 *
 * @throws an {@link AppError} (502/503) when the chain or the leader cannot be used
 */
export async function handlePaymentSignature(
  headers: Headers,
  ctx: OfferContext,
  resource: string,
): Promise<X402Attempt> {
  const value = headers.get(X402_HEADERS.signature);
  if (value === null) return { type: "none" };
  const payload = parsePaymentSignature(value);
  if (!payload) return { type: "malformed", error: MALFORMED };
  if (payload.x402Version !== X402_VERSION)
    return { type: "refused", error: `x402Version ${payload.x402Version} is not ${X402_VERSION}` };
  // The rdn-channel scheme is the channel decision's (lib/x402/rdn-channel.ts); any other is
  // not accepted here.
  if (payload.accepted.scheme === RDN_CHANNEL_SCHEME) return { type: "none" };
  if (payload.accepted.scheme !== "exact")
    return { type: "refused", error: `scheme ${payload.accepted.scheme} is not accepted here` };
  const ours = await exactRequirement(ctx).catch((err: unknown) => {
    throw new BadGatewayError("exact: the token could not be read; nothing was paid", err);
  });
  if (!ours) return { type: "refused", error: "exact is not offered: the token has no EIP-3009" };
  const mismatch = requirementMismatch(payload.accepted, ours);
  if (mismatch) return { type: "refused", error: `exact: ${mismatch}` };

  let outcome;
  try {
    outcome = await onLeader("x402Exact", { payload, requirements: ours, resource });
  } catch (err) {
    // A leader's 500 (an unexpected fault) is the payer's 502 like any other settlement failure.
    if (err instanceof AppError && err.status !== 500) throw err;
    throw new BadGatewayError("exact: the payment could not be settled", err);
  }
  if (!outcome.success) {
    // A transaction that was sent but did not succeed in time is named, so the payer can look.
    const tx = outcome.transaction ? `; transaction ${outcome.transaction}` : "";
    return { type: "refused", error: `${reasonText(outcome.errorReason)}${tx}` };
  }
  return {
    type: "paid",
    payer: outcome.payer,
    transaction: outcome.transaction,
    network: outcome.network,
    responseHeader: encodePaymentResponseHeader({
      success: true,
      transaction: outcome.transaction,
      network: outcome.network as `${string}:${string}`,
      payer: outcome.payer,
    }),
  };
}
