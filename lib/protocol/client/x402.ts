/**
 * The `rdn-channel` x402 scheme for x402 clients (docs/protocol.md "x402 scheme `rdn-channel`"):
 * a `SchemeNetworkClient` that pays with balance proofs from the payer's channels. Register it on
 * an `x402Client` and `wrapFetchWithPayment` pays through channels with the payer's trust and
 * limits. Browser-safe: viem, zod and @x402/core types only.
 */
import type {
  PaymentPayloadContext,
  PaymentPayloadResult,
  PaymentRequirements,
  SchemeClientHooks,
  SchemeNetworkClient,
} from "@x402/core/types";
import { isAddressEqual } from "viem";
import type { PaymentTerms } from "../terms";
import {
  chainIdOfNetwork,
  RDN_CHANNEL_SCHEME,
  rdnChannelExtraSchema,
  rdnChannelRequirementsSchema,
  type RdnChannelPayloadJson,
} from "../x402-channel";
import type { Authorization } from "./authorize";
import { PayerError } from "./errors";
import type { Payer } from "./payer";

/** Options of {@link rdnChannel}. */
export interface RdnChannelOptions {
  /**
   * Blocks the site waits before it counts a new deposit; default: the `confirmations` of the
   * site's `GET <gatewayPath>/prices`, else 1. The payer waits for them after opening or topping
   * up, before it sends the proof.
   */
  confirmations?: number;
  /** How long to wait before sending again when the site has not counted a deposit yet (default 1500 ms). */
  retryDelayMs?: number;
  /** How many times one 402 may be answered again after a corrective proof (default 1). */
  maxCorrections?: number;
  /** The fetch used to read the site's `/prices` (default: the global one). */
  fetch?: typeof fetch;
}

/** What one payment (one 402's requirements) has signed so far. */
interface Attempt {
  auth: Authorization;
  requestCharged: bigint;
  corrections: number;
  waits: number;
}

/** Failures after which the same proof is sent again once the site had time to count a deposit. */
const WAIT_ERRORS = new Set([
  "insufficient_confirmations",
  "nonexisting_channel",
  "insufficient_funds",
]);

/**
 * An x402 scheme client for `rdn-channel` on `payer`'s channels: it checks the requirements'
 * `payTo`, `extra.contract`, `asset` and network against the receiver, contract and chain the
 * payer trusts for the resource's origin, keeps `maxPrice`, `budget` and `maxDeposit` (and the
 * x402 client's own per-payment cap), opens or tops up a channel when none covers the price
 * (through the site's relay when the payer decides so), reserves and signs the next BalanceProof,
 * and continues from a corrective 402's `extra.channel` when that proof is provably its own.
 *
 * The origin is the one of the 402's `resource.url`; a stock x402 client passes only its default
 * assets, so allow the site's token (`allowedAssets`) or turn its spend controls off and let the
 * payer's limits bind.
 *
 * @example
 * const client = new x402Client()
 *   .register("eip155:*", rdnChannel(payer))
 *   .setSpendControls({ allowedAssets: [{ network: "eip155:31337", asset: token }] });
 * const paidFetch = wrapFetchWithPayment(fetch, client);
 * const res = await paidFetch("http://127.0.0.1:3000/api/echo/fix/hello");
 */
export function rdnChannel(
  payer: Payer,
  options: RdnChannelOptions = {},
): SchemeNetworkClient & { readonly schemeHooks: SchemeClientHooks } {
  const urls = new WeakMap<object, string>();
  const attempts = new WeakMap<object, Attempt>();
  const confirmations = new Map<string, Promise<number>>();
  const retryDelayMs = options.retryDelayMs ?? 1500;
  const maxCorrections = options.maxCorrections ?? 1;

  function siteConfirmations(origin: string, gatewayPath: string): Promise<number> {
    if (options.confirmations !== undefined) return Promise.resolve(options.confirmations);
    let hit = confirmations.get(origin);
    if (!hit) {
      hit = (async () => {
        try {
          const res = await (options.fetch ?? globalThis.fetch)(`${origin}${gatewayPath}/prices`, {
            redirect: "error",
          });
          const body = (await res.json()) as { confirmations?: unknown };
          const n = body.confirmations;
          return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 && n <= 1000 ? n : 1;
        } catch {
          return 1;
        }
      })();
      confirmations.set(origin, hit);
    }
    return hit;
  }

  const schemeHooks: SchemeClientHooks = {
    // The only place the 402's resource is seen: remember it for the requirements chosen.
    async onBeforePaymentCreation(ctx) {
      urls.set(ctx.selectedRequirements, ctx.paymentRequired.resource?.url ?? "");
    },
    async onPaymentResponse(ctx) {
      const attempt = attempts.get(ctx.requirements);
      if (!attempt) return;
      if (ctx.settleResponse?.success) {
        await payer.accept(attempt.auth);
        return;
      }
      const required = ctx.paymentRequired;
      if (!required) return;
      const offer = required.accepts.find((a) => a.scheme === RDN_CHANNEL_SCHEME);
      const extra = offer ? rdnChannelExtraSchema.safeParse(offer.extra) : undefined;
      const proof = extra?.success ? extra.data.channel : undefined;
      const { channel } = attempt.auth;
      const ours =
        proof &&
        isAddressEqual(proof.sender, channel.sender) &&
        proof.openBlock === channel.openBlock
          ? proof
          : undefined;
      const error = required.error;
      if (ours && (error === "invalid_amount" || error === undefined)) {
        // The site kept the proof just sent and asks again: adopt it once, never sign on and on.
        if (attempt.corrections >= maxCorrections) return;
        if (ours.balance === channel.balance && error === undefined) return;
        const { refunded } = await payer.adopt(channel, ours, attempt.auth);
        attempt.requestCharged -= refunded;
        attempt.corrections += 1;
        return { recovered: true };
      }
      if (error && WAIT_ERRORS.has(error) && attempt.waits < 1 && attempt.auth.deposited) {
        attempt.waits += 1;
        await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
        return { recovered: true };
      }
      return;
    },
  };

  return {
    scheme: RDN_CHANNEL_SCHEME,
    schemeHooks,
    async createPaymentPayload(
      x402Version: number,
      requirements: PaymentRequirements,
      context?: PaymentPayloadContext,
    ): Promise<PaymentPayloadResult> {
      if (x402Version !== 2) {
        throw new PayerError("bad-terms", `rdn-channel is an x402 v2 scheme, not v${x402Version}.`);
      }
      const parsed = rdnChannelRequirementsSchema.safeParse(requirements);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new PayerError(
          "bad-terms",
          `The site's rdn-channel requirements are unusable (${issue.path.join(".")}: ${issue.message}); nothing was signed.`,
        );
      }
      const req = parsed.data;
      const url = urls.get(requirements);
      let origin: string;
      try {
        origin = new URL(url ?? "").origin;
      } catch {
        throw new PayerError(
          "bad-terms",
          "The 402 names no resource URL, so its site cannot be checked; nothing was signed.",
        );
      }
      if (
        context?.maxAmountPerPayment !== undefined &&
        /^[0-9]+$/.test(context.maxAmountPerPayment) &&
        req.amount > BigInt(context.maxAmountPerPayment)
      ) {
        throw new PayerError(
          "over-policy",
          `The price ${req.amount} is above the x402 client's cap of ${context.maxAmountPerPayment}; nothing was paid.`,
          { details: { price: req.amount, maxPrice: BigInt(context.maxAmountPerPayment) } },
        );
      }
      const terms: PaymentTerms = {
        gatewayPath: req.extra.gatewayPath,
        receiver: req.payTo,
        contract: req.extra.contract,
        token: req.asset,
        chainId: chainIdOfNetwork(req.network)!,
        price: req.amount,
        ...(req.extra.relay ? { relay: req.extra.relay } : {}),
      };
      const previous = attempts.get(requirements);
      const auth = await payer.authorize(origin, terms, {
        requestCharged: previous?.requestCharged ?? 0n,
        confirmations: () => siteConfirmations(origin, req.extra.gatewayPath),
      });
      attempts.set(requirements, {
        auth,
        requestCharged: (previous?.requestCharged ?? 0n) + auth.charged,
        corrections: previous?.corrections ?? 0,
        waits: previous?.waits ?? 0,
      });
      const payload: RdnChannelPayloadJson = {
        sender: auth.channel.sender,
        openBlock: auth.channel.openBlock,
        balance: auth.balance.toString(),
        signature: auth.signature,
      };
      return { x402Version: 2, payload };
    },
  };
}
