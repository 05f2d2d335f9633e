/**
 * The site's side of the `rdn-channel` x402 scheme (docs/protocol.md "x402 scheme
 * `rdn-channel`"): the `accepts` entry a priced 402 offers, built from the same terms as its
 * RDN-* headers, and the reading of a `PAYMENT-SIGNATURE` of this scheme into the payment request
 * the RDN-* headers produce, so both go through one decision. Pure: no chain, no database.
 */
import type { PaymentRequirements, SettleResponse } from "@x402/core/types";
import { GATEWAY_PATH } from "@/lib/protocol/headers";
import type { PaymentRequest } from "@/lib/protocol/payment-request";
import type { PaywallIdentity, RelayOfferJson } from "@/lib/protocol/terms";
import {
  caip2,
  chainIdOfNetwork,
  RDN_CHANNEL_SCHEME,
  rdnChannelExtraSchema,
  rdnChannelPayloadSchema,
  type ChannelProof,
  type RdnChannelExtraJson,
} from "@/lib/protocol/x402-channel";
import { addressSchema, uint192Schema } from "@/lib/protocol/wire";

/** What @x402/core accepts as a base64 header value. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * `decodePaymentSignatureHeader` of @x402/core, with Node's base64 decoder: this runs on every
 * paid request, and its decoder (atob, a byte loop and a new TextDecoder) costs several times more.
 * Every `PAYMENT-SIGNATURE` the site reads is decoded here.
 *
 * @throws on a value that is not base64 of JSON
 */
export function decodeHeaderJson(value: string): unknown {
  if (!BASE64.test(value)) throw new Error("not base64");
  return JSON.parse(Buffer.from(value, "base64").toString("utf8"));
}

/** The request header carrying an x402 payment. */
export const PAYMENT_SIGNATURE = "PAYMENT-SIGNATURE";
/** The response header carrying an x402 settlement. */
export const PAYMENT_RESPONSE = "PAYMENT-RESPONSE";

/** How long a signed proof stays good for one request: the site answers within this. */
export const RDN_CHANNEL_TIMEOUT_SECONDS = 60;

/** What {@link rdnChannelAccepts} builds the entry from: the terms the 402 already carries. */
export interface RdnChannelTerms {
  identity: PaywallIdentity;
  /** What this request costs now (base units). */
  price: bigint;
  /** The contract's challenge period in blocks. */
  challengePeriod: number;
  /** The site's relay offer (lib/relay/offer.ts), when it relays. */
  relay?: RelayOfferJson;
  /**
   * The last accepted proof of the channel the request named, when its signature verified (the
   * corrective 402): what the RDN-Sender-* headers carry, plus the channel's open block.
   */
  channel?: { sender: string; openBlock: number; balance: bigint; signature: string | null };
  /** Default {@link RDN_CHANNEL_TIMEOUT_SECONDS}. */
  maxTimeoutSeconds?: number;
}

/**
 * The `rdn-channel` entry of a 402's `accepts`: `amount` the price, `asset` the token, `payTo`
 * the receiver, `extra` the contract, challenge period, smallest deposit, API prefix, relay offer
 * and, on a corrective 402, the channel's last accepted proof.
 *
 * @example
 * const accepts = [rdnChannelAccepts({ identity, price, challengePeriod: 500, relay })];
 */
export function rdnChannelAccepts(terms: RdnChannelTerms): PaymentRequirements {
  const { identity, price, channel, relay } = terms;
  const extra: RdnChannelExtraJson = {
    contract: identity.contract,
    challengePeriod: terms.challengePeriod,
    minDeposit: price.toString(),
    gatewayPath: GATEWAY_PATH,
    ...(relay ? { relay } : {}),
    ...(channel
      ? {
          channel: {
            sender: channel.sender as `0x${string}`,
            openBlock: channel.openBlock,
            balance: channel.balance.toString(),
            signature: (channel.signature as `0x${string}` | null) ?? null,
          },
        }
      : {}),
  };
  return {
    scheme: RDN_CHANNEL_SCHEME,
    network: caip2(identity.chainId),
    amount: price.toString(),
    asset: identity.token,
    payTo: identity.receiver,
    maxTimeoutSeconds: terms.maxTimeoutSeconds ?? RDN_CHANNEL_TIMEOUT_SECONDS,
    extra: extra as unknown as Record<string, unknown>,
  };
}

/** Result of {@link rdnChannelPaymentRequest}. */
export type RdnChannelParse =
  /** An `rdn-channel` payment: decide it like the RDN-* headers. */
  | { type: "payment"; payment: PaymentRequest }
  /** Another scheme's payment (`exact`…): not this module's to decide. */
  | { type: "other-scheme"; scheme: string }
  /** Not decodable, or an `rdn-channel` payload that does not parse: 400 naming the header. */
  | { type: "malformed"; header: typeof PAYMENT_SIGNATURE; error: string };

const malformed = (why: string): RdnChannelParse => ({
  type: "malformed",
  header: PAYMENT_SIGNATURE,
  error: `${PAYMENT_SIGNATURE}: ${why}`,
});

function issueText(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): string {
  const issue = error.issues[0]!;
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Reads a `PAYMENT-SIGNATURE` header (x402 v2, base64 JSON). A payment of scheme `rdn-channel`
 * becomes the payment request the RDN-* headers would produce: the payload's proof, `accepted.payTo`
 * as the receiver, `accepted.extra.contract` as the contract, `accepted.amount` as the payment
 * (it must equal the balance increase) and the chain of `accepted.network`. A well-formed
 * payment naming another receiver, contract or chain is decided like the RDN-* headers'
 * (402 `nonexisting_channel`), not refused as malformed.
 *
 * @example
 * const parsed = rdnChannelPaymentRequest(req.headers.get("PAYMENT-SIGNATURE")!);
 * if (parsed.type === "malformed") return Response.json({ error: parsed.error }, { status: 400 });
 */
export function rdnChannelPaymentRequest(header: string | unknown): RdnChannelParse {
  let decoded: unknown = header;
  if (typeof header === "string") {
    try {
      decoded = decodeHeaderJson(header.trim());
    } catch {
      return malformed("must be base64-encoded JSON of an x402 payment payload");
    }
  }
  if (typeof decoded !== "object" || decoded === null) return malformed("must be a JSON object");
  const payload = decoded as {
    x402Version?: unknown;
    accepted?: {
      scheme?: unknown;
      network?: unknown;
      payTo?: unknown;
      amount?: unknown;
      extra?: unknown;
    };
    payload?: unknown;
  };
  if (payload.x402Version !== 2) return malformed("x402Version: must be 2");
  const accepted = payload.accepted;
  if (typeof accepted !== "object" || accepted === null)
    return malformed("accepted: must be the payment requirements paid");
  if (typeof accepted.scheme !== "string") return malformed("accepted.scheme: must be a string");
  if (accepted.scheme !== RDN_CHANNEL_SCHEME)
    return { type: "other-scheme", scheme: accepted.scheme };
  if (typeof accepted.network !== "string" || chainIdOfNetwork(accepted.network) === undefined)
    return malformed("accepted.network: must be eip155:<chainId>");
  const payTo = addressSchema.safeParse(accepted.payTo);
  if (!payTo.success) return malformed(`accepted.payTo: ${issueText(payTo.error)}`);
  const amount = uint192Schema.safeParse(accepted.amount);
  if (!amount.success) return malformed(`accepted.amount: ${issueText(amount.error)}`);
  const contract = rdnChannelExtraSchema.shape.contract.safeParse(
    (accepted.extra as { contract?: unknown } | undefined)?.contract,
  );
  if (!contract.success) return malformed(`accepted.extra.contract: ${issueText(contract.error)}`);
  const proof = rdnChannelPayloadSchema.safeParse(payload.payload);
  if (!proof.success) return malformed(`payload.${issueText(proof.error)}`);
  return {
    type: "payment",
    payment: {
      ...proof.data,
      payment: amount.data,
      receiver: payTo.data,
      contract: contract.data,
      chainId: chainIdOfNetwork(accepted.network),
    },
  };
}

/**
 * The `PAYMENT-RESPONSE` of a served `rdn-channel` payment: nothing is sent on chain (the site
 * keeps the proof), so `transaction` is empty; `extra` carries the channel's new state.
 */
export function rdnChannelPaymentResponse(
  identity: PaywallIdentity,
  channel: ChannelProof & { amount: bigint; retry: boolean },
): SettleResponse {
  return {
    success: true,
    network: caip2(identity.chainId),
    payer: channel.sender,
    transaction: "",
    amount: channel.amount.toString(),
    extra: {
      scheme: RDN_CHANNEL_SCHEME,
      sender: channel.sender,
      openBlock: channel.openBlock,
      balance: channel.balance.toString(),
      ...(channel.retry ? { retry: true } : {}),
    },
  };
}

/** {@link rdnChannelPaymentResponse} encoded for the `PAYMENT-RESPONSE` header. */
export function rdnChannelPaymentResponseHeader(
  identity: PaywallIdentity,
  channel: ChannelProof & { amount: bigint; retry: boolean },
): string {
  // encodePaymentResponseHeader of @x402/core, with Node's base64 encoder (see decodeHeaderJson).
  return Buffer.from(JSON.stringify(rdnChannelPaymentResponse(identity, channel))).toString(
    "base64",
  );
}
