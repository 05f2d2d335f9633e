/**
 * One payment signed outside the payer's own 402 loop (the x402 scheme client,
 * `./x402.ts`): the same trust, policy, channel choice, reservation and signature as `fetch`, and
 * the two answers a site can give afterwards (served: the balance is accepted; corrected: the
 * site's last proof is adopted when it is provably ours).
 */
import type { Hex } from "viem";
import type { LastProof, PaymentTerms } from "../terms";
import { adopt, channelFor } from "./channels";
import { checkCharge, checkPolicy } from "./decide";
import { checkSite } from "./pay-request";
import type { PayerContext } from "./payer-context";
import { signProof, signsLocally } from "./signing";
import { highestSigned, sameChannel, type PayerChannel } from "./types";
import { nextTask, waitBlocks } from "./waiting";

/** A signed payment: the BalanceProof of `channel` at `balance`. */
export interface Authorization {
  channel: PayerChannel;
  balance: bigint;
  signature: Hex;
  /** What this signature added above the highest balance signed on the channel. */
  charged: bigint;
  /** Whether the payer opened or topped up the channel for it (the site may not see it yet). */
  deposited: boolean;
}

/** Options of {@link authorizePayment}. */
export interface AuthorizeOptions {
  /** What earlier signatures of the same request charged (they count toward `maxPrice`). */
  requestCharged?: bigint;
  /**
   * After a deposit, wait this many blocks for the site to count it (default 0); a function is
   * asked only when the payer deposited.
   */
  confirmations?: number | (() => Promise<number>);
}

/**
 * Checks `terms` against what the payer trusts for `origin` and its limits, picks (or tops up, or
 * opens) the channel that pays `terms.price`, reserves the signature and signs the channel's
 * accepted balance plus the price.
 *
 * @throws {PayerError} as `fetch` does: "foreign-contract", "wrong-chain", "over-policy", the
 *   deposit's errors.
 */
export async function authorizePayment(
  ctx: PayerContext,
  origin: string,
  terms: PaymentTerms,
  options: AuthorizeOptions = {},
): Promise<Authorization> {
  await checkSite(ctx, origin, terms);
  if (terms.relay) ctx.relays.set(origin, terms.relay);
  const refusal = checkPolicy(terms.price, ctx.policy, ctx.spent);
  if (refusal) throw refusal;
  const before = await ctx.store.list();
  const channel = await channelFor(ctx, terms, origin);
  const known = before.find((c) => sameChannel(c, channel));
  const deposited = !known || known.deposit !== channel.deposit;
  if (deposited && options.confirmations !== undefined) {
    const blocks =
      typeof options.confirmations === "number"
        ? options.confirmations
        : await options.confirmations();
    if (blocks > 0) await waitBlocks(ctx, blocks, Date.now() + ctx.timeoutMs);
  }
  const balance = channel.balance + terms.price;
  const requestCharged = options.requestCharged ?? 0n;
  // The reservation's requests go out first; a key held in memory then signs while they are
  // answered (signing holds the thread, so it waits a task). The signature leaves this function
  // only once the reservation succeeded. A wallet is asked only after it.
  const reservation = ctx.reserve(channel, balance, (charge) =>
    checkCharge(charge, { request: requestCharged, spent: ctx.spent }, ctx.policy),
  );
  const early = signsLocally(ctx, channel)
    ? nextTask().then(() => signProof(ctx, channel, balance))
    : undefined;
  early?.catch(() => undefined);
  const charged = await reservation;
  ctx.spent += charged;
  const signature = await (early ?? signProof(ctx, channel, balance));
  ctx.emit({ type: "signed", url: origin, channel, balance, charged });
  return { channel, balance, signature, charged, deposited };
}

/** Records that the site served a payment: its balance and proof become the accepted ones. */
export async function acceptPayment(
  ctx: PayerContext,
  auth: Pick<Authorization, "channel" | "balance" | "signature">,
): Promise<PayerChannel> {
  const latest = await ctx.latest(auth.channel);
  if (latest.balance >= auth.balance) return latest;
  return ctx.save({
    ...latest,
    balance: auth.balance,
    signature: auth.signature,
    ...(highestSigned(latest) > auth.balance ? { signed: highestSigned(latest) } : {}),
  });
}

/**
 * Continues from the site's last proof on `channel` when it is provably ours (signed by the
 * channel's signer, within the deposit); throws "tampered-proof" otherwise. When the site's
 * balance is above the proof just `sent`, that proof's charge is given back (as `fetch` does);
 * `refunded` says how much.
 */
export async function adoptProof(
  ctx: PayerContext,
  channel: PayerChannel,
  lastProof: LastProof,
  sent?: Pick<Authorization, "balance" | "charged">,
): Promise<{ channel: PayerChannel; refunded: bigint }> {
  await adopt(ctx, channel, lastProof);
  let refunded = 0n;
  if (sent && sent.charged > 0n && lastProof.balance > sent.balance) {
    // The site held a higher proof of ours (signed elsewhere): the one just sent adds nothing it
    // can cash, so its charge no longer counts.
    ctx.spent -= sent.charged;
    refunded = sent.charged;
  }
  return { channel: await ctx.latest(channel), refunded };
}
