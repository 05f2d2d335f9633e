/**
 * The payer's channels on chain: picking the one that pays, opening and topping up, and adopting
 * the site's last balance when it is provably the payer's own.
 */
import { isAddressEqual } from "viem";
import { recoverBalanceProofSigner } from "../proofs";
import type { LastProof, PaymentTerms, RelayOffer } from "../terms";
import {
  checkContractToken,
  checkFunds,
  checkTokens,
  gasNeeds,
  openChannelTx,
  readChannel,
  requireWallet,
  topUpTx,
  type ChainContext,
} from "./chain";
import { checkServerProof, planPayment } from "./decide";
import {
  chooseDepositRoute,
  relayAmount,
  relayCap,
  relayEndpoint,
  type DepositVia,
  type RouteChoice,
} from "./deposit-route";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { recoverChannels } from "./recover";
import { relayOpen, relayTopUp } from "./relay";
import { domainOf, messageOf } from "./signing";
import { channelName, type PayerChannel } from "./types";

/**
 * Where a channel is opened: the site's contract, token, receiver and chain, and the site's relay
 * offer when it has one (`relay` of its 402 body or site terms, resolved against the site's
 * origin; an offer on another origin is ignored).
 */
export type OpenTarget = Pick<PaymentTerms, "contract" | "token" | "receiver" | "chainId"> & {
  relay?: RelayOffer;
};

/** How one open or top-up is made. */
export interface DepositOptions {
  /** Overrides the payer's `depositVia` for this call. */
  via?: DepositVia;
  /**
   * The amount was planned by the payer (not asked for by the caller): a relay's minimum may raise
   * it, within `maxDeposit` (or `RELAY_RAISE_LIMIT` times the amount without one). An amount the
   * caller asked for is relayed as it is.
   */
  planned?: boolean;
}

/** Whether the sender's ETH covers `txs` channel transactions. */
const hasGasFor = (chainCtx: ChainContext, txs: number) => async () => {
  const { eth, gas } = await gasNeeds(chainCtx, txs);
  return eth >= gas;
};

/**
 * Opens a channel to `terms.receiver` with `deposit`: through the site's relay (one signature, the
 * site pays the gas) or with the payer's own transaction (EIP-2612 permit when the token has it),
 * as the payer's `depositVia` (or `options.via`) decides.
 *
 * @throws {PayerError} "wrong-chain" when the RPC node is on another chain than `terms.chainId`,
 *   "no-signer" for a payer without the sender's wallet, the relay's errors (see relay.ts)
 */
export async function openChannel(
  ctx: PayerContext,
  terms: OpenTarget,
  deposit: bigint,
  origin: string | undefined,
  options: DepositOptions = {},
): Promise<PayerChannel> {
  const { sessionSigner, sender, emit } = ctx;
  const chainCtx = await ctx.chainContext();
  requireWallet(chainCtx, "Opening a channel");
  if (chainCtx.chain.id !== terms.chainId) {
    throw new PayerError(
      "wrong-chain",
      `The channel is to be opened on chain ${terms.chainId}, but the RPC node is on chain ${chainCtx.chain.id}.`,
    );
  }
  await checkContractToken(chainCtx, terms.contract, terms.token);
  const relay = relayEndpoint(terms.relay, origin);
  const route: RouteChoice = await chooseDepositRoute({
    via: options.via ?? ctx.depositVia,
    what: "open",
    relay,
    // An amount the caller asked for is sent as it is (the site judges it); a planned one meets
    // the relay's minimum within the limits.
    relayAmount:
      relay && options.planned
        ? relayAmount(deposit, relay.minDeposit, relayCap(deposit, ctx.policy.maxDeposit))
        : deposit,
    hasGas: hasGasFor(chainCtx, 2),
  });
  if (route.via === "relay") {
    await checkTokens(chainCtx, terms.token, route.amount);
    emit({
      type: "opening-channel",
      receiver: terms.receiver,
      deposit: route.amount,
      via: "relay",
    });
    const opened = await relayOpen(ctx, chainCtx, terms, route.amount, route.relay, origin);
    emit({
      type: "channel-opened",
      channel: opened.channel,
      txHash: opened.txHash,
      permit: false,
      via: "relay",
    });
    return opened.channel;
  }
  await checkFunds(chainCtx, terms.token, deposit, 2, relay !== undefined);
  const signer = sessionSigner?.address ?? sender;
  emit({ type: "opening-channel", receiver: terms.receiver, deposit, via: "self" });
  const tx = await openChannelTx(chainCtx, {
    contract: terms.contract,
    token: terms.token,
    receiver: terms.receiver,
    deposit,
    signer: sessionSigner ? sessionSigner.address : "0x0000000000000000000000000000000000000000",
  });
  const channel = await ctx.save({
    ...(origin === undefined ? {} : { siteOrigin: origin }),
    chainId: terms.chainId,
    contract: terms.contract,
    token: terms.token,
    receiver: terms.receiver,
    sender,
    signer,
    openBlock: tx.openBlock,
    deposit,
    balance: 0n,
    signature: null,
    state: "open",
  });
  emit({ type: "channel-opened", channel, txHash: tx.hash, permit: tx.permit, via: "self" });
  return channel;
}

/**
 * Adds `amount` to an open channel's deposit, through the site's relay (`relay`, the offer of the
 * channel's site) or with the payer's own transaction, as `depositVia` decides.
 *
 * @throws {PayerError} "bad-channel-state" when the channel is not open.
 */
export async function topUpChannel(
  ctx: PayerContext,
  channel: PayerChannel,
  amount: bigint,
  options: DepositOptions & { relay?: RelayOffer } = {},
): Promise<PayerChannel> {
  if (channel.state !== "open") {
    throw new PayerError(
      "bad-channel-state",
      `Channel ${channelName(channel)} is ${channel.state}: it cannot be topped up.`,
    );
  }
  const chainCtx = await ctx.chainContext();
  requireWallet(chainCtx, "Topping up a channel");
  const offer =
    options.relay ?? (channel.siteOrigin ? ctx.relays.get(channel.siteOrigin) : undefined);
  const relay = relayEndpoint(offer, channel.siteOrigin);
  const route = await chooseDepositRoute({
    via: options.via ?? ctx.depositVia,
    what: "top-up",
    relay,
    relayAmount:
      relay && options.planned
        ? relayAmount(
            amount,
            relay.minDeposit,
            relayCap(amount, ctx.policy.maxDeposit, channel.deposit),
          )
        : amount,
    hasGas: hasGasFor(chainCtx, 2),
  });
  if (route.via === "relay") {
    await checkTokens(chainCtx, channel.token, route.amount);
    ctx.emit({ type: "topping-up", channel, amount: route.amount, via: "relay" });
    const done = await relayTopUp(ctx, chainCtx, channel, route.amount, route.relay);
    ctx.emit({
      type: "topped-up",
      channel: done.channel,
      txHash: done.txHash,
      permit: false,
      via: "relay",
    });
    return done.channel;
  }
  await checkFunds(chainCtx, channel.token, amount, 2, relay !== undefined);
  ctx.emit({ type: "topping-up", channel, amount, via: "self" });
  const tx = await topUpTx(chainCtx, {
    contract: channel.contract,
    token: channel.token,
    receiver: channel.receiver,
    openBlock: channel.openBlock,
    amount,
  });
  const updated = await ctx.save({
    ...(await ctx.latest(channel)),
    deposit: channel.deposit + amount,
  });
  ctx.emit({
    type: "topped-up",
    channel: updated,
    txHash: tx.hash,
    permit: tx.permit,
    via: "self",
  });
  return updated;
}

/**
 * The channel that pays `terms.price` now: an existing one, topped up, or a new one. When the store
 * knows no channel of this sender to the receiver on the contract, the sender's channels are first
 * recovered from the chain (once per contract and receiver for this payer), so a lost store does
 * not strand a deposit beside a new channel.
 */
export async function channelFor(
  ctx: PayerContext,
  terms: PaymentTerms,
  origin: string,
): Promise<PayerChannel> {
  let channels = await ctx.store.list();
  const key = `${terms.contract}:${terms.receiver}`.toLowerCase();
  const known = channels.some(
    (c) =>
      c.chainId === terms.chainId &&
      isAddressEqual(c.contract, terms.contract) &&
      isAddressEqual(c.receiver, terms.receiver) &&
      isAddressEqual(c.sender, ctx.sender),
  );
  if (!known && !ctx.recovered.has(key)) {
    const { contract, receiver, token, chainId } = terms;
    await recoverChannels(ctx, { contract, receiver, token, chainId, siteOrigin: origin });
    ctx.recovered.add(key);
    channels = await ctx.store.list();
  }
  const plan = planPayment(
    channels,
    { ...terms, sender: ctx.sender, signers: ctx.signers, price: terms.price },
    ctx.policy,
  );
  if (plan.type === "use") return plan.channel;
  if (ctx.policy.autoDeposit === false) {
    throw new PayerError(
      "over-policy",
      plan.type === "top-up"
        ? `Paying ${terms.price} needs a top-up of channel ${channelName(plan.channel)}, ` +
            `and this payer does not deposit by itself; nothing was paid.`
        : `Paying ${terms.price} needs a new channel, and this payer does not deposit by itself; nothing was paid.`,
      { details: { price: terms.price, needs: plan.type } },
    );
  }
  if (plan.type === "top-up")
    return topUpChannel(ctx, plan.channel, plan.amount, { relay: terms.relay, planned: true });
  return openChannel(ctx, terms, plan.deposit, origin, { planned: true });
}

/** Continues from the site's last proof, if it is provably ours; throws "tampered-proof" otherwise. */
export async function adopt(
  ctx: PayerContext,
  channel: PayerChannel,
  lastProof: LastProof,
): Promise<void> {
  const recovered = lastProof.signature
    ? await recoverBalanceProofSigner(
        domainOf(channel),
        messageOf(channel, lastProof.balance),
        lastProof.signature,
      )
    : null;
  let current = await ctx.latest(channel);
  if (lastProof.balance > current.deposit) {
    // Our copy of the deposit may be behind (a top-up we lost): the chain decides.
    const info = await readChannel(await ctx.chainContext(), current.contract, current);
    if (info && info.deposit > current.deposit) current = { ...current, deposit: info.deposit };
  }
  const check = checkServerProof(current, lastProof, recovered, current.deposit);
  if (!check.ok) throw check.error;
  const updated = await ctx.save({
    ...current,
    balance: check.balance,
    signature: check.signature,
  });
  ctx.emit({
    type: "adopted-server-balance",
    channel: updated,
    from: channel.balance,
    to: check.balance,
  });
}
