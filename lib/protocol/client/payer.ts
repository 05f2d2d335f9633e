/**
 * The paying side of the protocol: a `fetch` that answers 402s by itself (µRaiden's Session), plus
 * top-up, close and settle. Framework-free and browser-safe; persistence enters through a
 * `PayerChannelStore`, signing through a viem account or wallet client.
 *
 * This module assembles the parts: the 402 loop (`pay-request.ts`), channel opening and top-up
 * (`channels.ts`), close and settle (`close.ts`), over a shared context (`payer-context.ts`).
 */
import type { Address } from "viem";
import { GATEWAY_PATH } from "../headers";
import type { LastProof, PaymentTerms, RelayOffer } from "../terms";
import {
  acceptPayment,
  adoptProof,
  authorizePayment,
  type Authorization,
  type AuthorizeOptions,
} from "./authorize";
import { openChannel, topUpChannel, type OpenTarget } from "./channels";
import type { DepositVia } from "./deposit-route";
import { closeChannel, settleChannel, type CloseResult } from "./close";
import { payRequest } from "./pay-request";
import { createPayerContext, type PayerOptions } from "./payer-context";
import { recoverChannels, type RecoverTarget } from "./recover";
import { requestTemplate, send } from "./request-template";
import type { PayerChannel } from "./types";

export type { CloseResult } from "./close";
export type { PayerOptions } from "./payer-context";
export type { RecoverTarget } from "./recover";
export type { OpenTarget } from "./channels";
export type { Authorization, AuthorizeOptions } from "./authorize";
export type { DepositRoute, DepositVia } from "./deposit-route";

/** A payer: see {@link createPayer}. */
export interface Payer {
  /** The sender's address. */
  readonly address: Address;
  /** Like `fetch`, but pays 402s. Request bodies are buffered so the request can be re-sent. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Every channel in the store. */
  channels(): Promise<PayerChannel[]>;
  /** What this payer paid so far (its lifetime). */
  spent(): bigint;
  /**
   * Opens a channel to `target.receiver` with exactly `deposit`, named after the session key when
   * the payer has one; `siteOrigin` is recorded on it. Through the site's relay (`target.relay`,
   * on `siteOrigin`: one signature, no gas) or with one transaction (EIP-2612 permit when the
   * token has it), as `depositVia` (or `options.via`) decides; the "channel-opened" event says
   * which (`via`). `fetch` then pays from it.
   */
  open(
    target: OpenTarget & { siteOrigin?: string },
    deposit: bigint,
    options?: { via?: DepositVia },
  ): Promise<PayerChannel>;
  /**
   * Adds `amount` to a channel's deposit: through the relay of the channel's site (`options.relay`,
   * else the offer of the site's last 402) or with the sender's transaction, as `depositVia` (or
   * `options.via`) decides; the "topped-up" event says which.
   */
  topUp(
    channel: PayerChannel,
    amount: bigint,
    options?: { via?: DepositVia; relay?: RelayOffer },
  ): Promise<PayerChannel>;
  /** Closes a channel: cooperatively through the site, else uncooperatively (challenge period). */
  close(
    channel: PayerChannel,
    options: { siteOrigin: string; gatewayPath?: string },
  ): Promise<CloseResult>;
  /** Settles a closing channel after its challenge period. */
  settle(channel: PayerChannel): Promise<PayerChannel>;
  /**
   * Finds this sender's channels to `target.receiver` on `target.contract` on chain (its
   * `ChannelCreated` events, kept while `getChannelInfo` knows them) and stores those the store
   * lost, with balance 0 (the site's corrective 402 restores the balance on the next payment).
   * Takes a site's terms or `{ contract, receiver }`; returns the channels it stored.
   */
  recover(target: RecoverTarget): Promise<PayerChannel[]>;
  /**
   * Signs one payment of `terms.price` for the site at `origin` outside `fetch` (the x402 scheme
   * client, `rdnChannel`): the same trust in the site's contract and receiver, the same limits
   * (`maxPrice` with `options.requestCharged`, `budget`, `maxDeposit`), channel choice, deposit
   * and reservation as `fetch`. The caller sends the proof and reports the site's answer with
   * `accept` or `adopt`.
   */
  authorize(
    origin: string,
    terms: PaymentTerms,
    options?: AuthorizeOptions,
  ): Promise<Authorization>;
  /** The site served a payment `authorize` signed: its balance becomes the accepted one. */
  accept(auth: Pick<Authorization, "channel" | "balance" | "signature">): Promise<PayerChannel>;
  /**
   * The site answered with its last proof on `channel` (a corrective 402): continue from it when
   * it is signed by the channel's signer within the deposit, else "tampered-proof". `sent` (the
   * proof just answered) has its charge given back when the site's balance is above it.
   */
  adopt(
    channel: PayerChannel,
    lastProof: LastProof,
    sent?: Pick<Authorization, "balance" | "charged">,
  ): Promise<{ channel: PayerChannel; refunded: bigint }>;
}

/**
 * Creates a payer. Its `fetch` sends the request; on a 402 it checks the site's terms against what
 * it trusts and the spending policy, picks an open channel that covers the price (or tops one up,
 * or opens one, with EIP-2612 permit when the token has it), signs the next balance proof and sends
 * the request again. It waits for the site to see a new channel (bounded by
 * `policy.confirmationTimeoutMs`), resumes from the site's last balance when that proof is provably
 * its own, and stores a new balance only after a 2xx. Failures throw a {@link PayerError}.
 *
 * Request bodies are read in full before the first attempt so the request can be re-sent:
 * streaming uploads are not supported. `HEAD` requests are never paid (the site never charges
 * them) and a 5xx is returned as it is.
 *
 * @example
 * const payer = createPayer({
 *   account: privateKeyToAccount(key),
 *   publicClient: createPublicClient({ transport: http(rpcUrl) }),
 *   store: jsonFileChannelStore("~/.paychan/channels.json"),
 *   policy: { maxPrice: 10n ** 18n, budget: 5n * 10n ** 18n },
 * });
 * const res = await payer.fetch("https://example.com/articles/why-payment-channels");
 */
export function createPayer(options: PayerOptions): Payer {
  const ctx = createPayerContext(options);
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs payments one at a time: two requests never build on the same balance. */
  function serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  }

  return {
    address: ctx.sender,

    async fetch(input, init) {
      const t = await requestTemplate(input, init);
      const res = await send(ctx.fetch, t);
      if (res.status !== 402 || t.method === "HEAD") return res;
      return serialize(() => payRequest(ctx, t, res));
    },

    channels: () => ctx.store.list(),

    spent: () => ctx.spent,

    open: (target, deposit, options = {}) =>
      serialize(() => openChannel(ctx, target, deposit, target.siteOrigin, options)),

    topUp: (channel, amount, options = {}) =>
      serialize(async () => topUpChannel(ctx, await ctx.latest(channel), amount, options)),

    close: (channel, { siteOrigin, gatewayPath = GATEWAY_PATH }) =>
      serialize(() => closeChannel(ctx, channel, siteOrigin, gatewayPath)),

    settle: (channel) => serialize(() => settleChannel(ctx, channel)),

    recover: (target) =>
      serialize(async () => {
        const { contract, receiver, token, chainId, siteOrigin } = target;
        const added = await recoverChannels(ctx, {
          contract,
          receiver,
          token,
          chainId,
          siteOrigin,
        });
        ctx.recovered.add(`${contract}:${receiver}`.toLowerCase());
        return added;
      }),

    authorize: (origin, terms, options) =>
      serialize(() => authorizePayment(ctx, origin, terms, options)),

    accept: (auth) => serialize(() => acceptPayment(ctx, auth)),

    adopt: (channel, lastProof, sent) => serialize(() => adoptProof(ctx, channel, lastProof, sent)),
  };
}

/**
 * A `fetch` that answers 402s by paying, for callers that need nothing else of the payer (no
 * channel list, no close): `createPayer(options).fetch`.
 *
 * @example
 * const paidFetch = createPayingFetch({ account, publicClient, store: memoryChannelStore() });
 * const res = await paidFetch("http://127.0.0.1:3000/api/echo/fix/hello");
 */
export function createPayingFetch(options: PayerOptions): Payer["fetch"] {
  const payer = createPayer(options);
  return (input, init) => payer.fetch(input, init);
}
