/**
 * The payer's channels on chain: picking the one that pays, opening and topping up, and adopting
 * the site's last balance when it is provably the payer's own.
 */
import { isAddressEqual } from "viem";
import { recoverBalanceProofSigner } from "../proofs";
import type { LastProof, PaymentTerms } from "../terms";
import {
  checkContractToken,
  checkFunds,
  openChannelTx,
  readChannel,
  requireWallet,
  topUpTx,
} from "./chain";
import { checkServerProof, planPayment } from "./decide";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { recoverChannels } from "./recover";
import { domainOf, messageOf } from "./signing";
import { channelName, type PayerChannel } from "./types";

/** Where a channel is opened: the site's contract, token, receiver and chain. */
export type OpenTarget = Pick<PaymentTerms, "contract" | "token" | "receiver" | "chainId">;

/**
 * Opens a channel to `terms.receiver` with `deposit` (EIP-2612 permit when the token has it).
 *
 * @throws {PayerError} "wrong-chain" when the RPC node is on another chain than `terms.chainId`,
 *   "no-signer" for a payer without the sender's wallet
 */
export async function openChannel(
  ctx: PayerContext,
  terms: OpenTarget,
  deposit: bigint,
  origin: string | undefined,
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
  await checkFunds(chainCtx, terms.token, deposit, 2);
  const signer = sessionSigner?.address ?? sender;
  emit({ type: "opening-channel", receiver: terms.receiver, deposit });
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
  emit({ type: "channel-opened", channel, txHash: tx.hash, permit: tx.permit });
  return channel;
}

/**
 * Adds `amount` to an open channel's deposit.
 *
 * @throws {PayerError} "bad-channel-state" when the channel is not open.
 */
export async function topUpChannel(
  ctx: PayerContext,
  channel: PayerChannel,
  amount: bigint,
): Promise<PayerChannel> {
  if (channel.state !== "open") {
    throw new PayerError(
      "bad-channel-state",
      `Channel ${channelName(channel)} is ${channel.state}: it cannot be topped up.`,
    );
  }
  const chainCtx = await ctx.chainContext();
  requireWallet(chainCtx, "Topping up a channel");
  await checkFunds(chainCtx, channel.token, amount, 2);
  ctx.emit({ type: "topping-up", channel, amount });
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
  ctx.emit({ type: "topped-up", channel: updated, txHash: tx.hash, permit: tx.permit });
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
  if (plan.type === "top-up") return topUpChannel(ctx, plan.channel, plan.amount);
  return openChannel(ctx, terms, plan.deposit, origin);
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
