/**
 * Ending a channel: close it cooperatively with the site's closing signature, else
 * uncooperatively (challenge period), and settle it once the challenge period is over.
 */
import { isAddressEqual, type Hex } from "viem";
import { recoverBalanceProofSigner } from "../proofs";
import type { LastProof } from "../terms";
import { cooperativeCloseTx, readChannel, settleTx, uncooperativeCloseTx } from "./chain";
import { adopt } from "./channels";
import { requestClosingSignature, type ClosingAnswer } from "./close-request";
import { isPayerError, PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { domainOf, messageOf, signProof } from "./signing";
import { channelName, type PayerChannel } from "./types";

/** Result of {@link Payer.close}. */
export interface CloseResult {
  channel: PayerChannel;
  cooperative: boolean;
  txHash: Hex;
  /** Why the site's closing signature was not used (uncooperative close). */
  refusal?: string;
}

/**
 * Closes an open channel: cooperatively through the site, else uncooperatively. When the site
 * answers that our balance is stale (a store restored from the chain, a session key lost), the
 * close continues from the site's last proof if it is the channel signer's. Without the signer the
 * sender signs the close request and the site's own copy of the proof is used.
 *
 * @throws {PayerError} "bad-channel-state" when the stored channel is not open.
 */
export async function closeChannel(
  ctx: PayerContext,
  channel: PayerChannel,
  siteOrigin: string,
  gatewayPath: string,
): Promise<CloseResult> {
  const current = await ctx.latest(channel);
  if (current.state !== "open") {
    throw new PayerError(
      "bad-channel-state",
      `Channel ${channelName(current)} is ${current.state}: only an open channel can be closed.`,
    );
  }
  const chainCtx = await ctx.chainContext();
  const holdsSigner = ctx.signers.some((s) => isAddressEqual(s, current.signer));
  const canAsk = holdsSigner || ctx.signers.some((s) => isAddressEqual(s, ctx.sender));
  let closing = current;
  let answer: ClosingAnswer | undefined;
  let refusal: string | undefined;
  const ask = async (c: PayerChannel) =>
    requestClosingSignature(
      ctx,
      c,
      // Without the signer the site closes at its own copy of the proof.
      holdsSigner
        ? (c.signature ?? (await signProof(ctx, c, c.balance)))
        : (c.signature ?? undefined),
      { siteOrigin, gatewayPath },
    );
  if (canAsk) {
    ctx.emit({ type: "close-requested", channel: current, siteOrigin });
    try {
      try {
        answer = await ask(closing);
      } catch (err) {
        const lastProof = isPayerError(err)
          ? (err.details.lastProof as LastProof | undefined)
          : undefined;
        if (!lastProof) throw err;
        // Our balance is stale (a store restored from the chain): continue from the site's last
        // proof when it is provably the channel signer's, and ask again once.
        await adopt(ctx, closing, lastProof);
        closing = await ctx.latest(closing);
        answer = await ask(closing);
      }
      if (!answer.balanceSignature || !(await isSignersProof(closing, answer.balanceSignature))) {
        throw new PayerError(
          "tampered-proof",
          "the site's balance proof is not by the channel's signer",
        );
      }
    } catch (err) {
      answer = undefined;
      refusal = err instanceof Error ? err.message : String(err);
    }
  } else {
    // Nothing this payer holds can sign a close request: only the sender's uncooperative close
    // (the receiver disputes with its last proof).
    refusal = `neither the channel's signer ${current.signer} nor the sender is a key this payer holds`;
  }
  if (answer?.balanceSignature) {
    const txHash = await cooperativeCloseTx(chainCtx, {
      contract: closing.contract,
      sender: closing.sender,
      receiver: closing.receiver,
      openBlock: closing.openBlock,
      balance: closing.balance,
      balanceSignature: answer.balanceSignature,
      closingSignature: answer.closingSignature,
    });
    const updated = await ctx.save({
      ...closing,
      signature: answer.balanceSignature,
      state: "settled",
    });
    ctx.emit({ type: "closed", channel: updated, txHash, cooperative: true });
    return { channel: updated, cooperative: true, txHash };
  }
  ctx.emit({ type: "close-refused", channel: current, reason: refusal ?? "unknown" });
  const txHash = await uncooperativeCloseTx(chainCtx, {
    contract: closing.contract,
    receiver: closing.receiver,
    openBlock: closing.openBlock,
    balance: closing.balance,
  });
  const info = await readChannel(chainCtx, closing.contract, closing);
  const updated = await ctx.save({ ...closing, state: "closing", settleBlock: info?.settleBlock });
  ctx.emit({ type: "closed", channel: updated, txHash, cooperative: false });
  return { channel: updated, cooperative: false, txHash, refusal };
}

/**
 * Settles a closing channel after its challenge period (marks a vanished one settled).
 *
 * @throws {PayerError} "bad-channel-state" for an open channel, "challenge-period" before its end.
 */
export async function settleChannel(
  ctx: PayerContext,
  channel: PayerChannel,
): Promise<PayerChannel> {
  const chainCtx = await ctx.chainContext();
  const current = await ctx.latest(channel);
  const info = await readChannel(chainCtx, current.contract, current);
  if (info === null) return ctx.save({ ...current, state: "settled" });
  if (info.settleBlock === 0) {
    throw new PayerError(
      "bad-channel-state",
      `Channel ${channelName(current)} is open: close it before settling.`,
    );
  }
  const head = await ctx.publicClient.getBlockNumber();
  // settle needs block.number > settleBlock: the next block must be past it.
  if (head + 1n <= BigInt(info.settleBlock)) {
    throw new PayerError(
      "challenge-period",
      `Channel ${channelName(current)} can be settled after block ${info.settleBlock}: ` +
        `${BigInt(info.settleBlock) - head} more blocks.`,
      { details: { settleBlock: info.settleBlock, head } },
    );
  }
  const txHash = await settleTx(chainCtx, current);
  const updated = await ctx.save({ ...current, state: "settled", settleBlock: info.settleBlock });
  ctx.emit({ type: "settled", channel: updated, txHash });
  return updated;
}

/** Whether `signature` is `channel`'s signer's balance proof of `channel.balance`. */
async function isSignersProof(channel: PayerChannel, signature: Hex): Promise<boolean> {
  const by = await recoverBalanceProofSigner(
    domainOf(channel),
    messageOf(channel, channel.balance),
    signature,
  );
  return by !== null && isAddressEqual(by, channel.signer);
}
