/**
 * Ending a channel: close it cooperatively with the site's closing signature, else
 * uncooperatively (challenge period), and settle it once the challenge period is over.
 */
import { isAddressEqual, type Hex } from "viem";
import { cooperativeCloseTx, readChannel, settleTx, uncooperativeCloseTx } from "./chain";
import { requestClosingSignature } from "./close-request";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { signProof } from "./signing";
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
 * Closes an open channel: cooperatively through the site, else uncooperatively (at once for a
 * channel whose signer this payer does not hold: nothing can sign its proofs).
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
  let closingSignature: Hex | undefined;
  let balanceSignature: Hex | undefined;
  let refusal: string | undefined;
  if (ctx.signers.some((s) => isAddressEqual(s, current.signer))) {
    balanceSignature = current.signature ?? (await signProof(ctx, current, current.balance));
    ctx.emit({ type: "close-requested", channel: current, siteOrigin });
    try {
      closingSignature = await requestClosingSignature(ctx, current, balanceSignature, {
        siteOrigin,
        gatewayPath,
      });
    } catch (err) {
      refusal = err instanceof Error ? err.message : String(err);
    }
  } else {
    // A recovered channel of a session key this payer lost: no balance proof or close request can
    // be signed, only the sender's uncooperative close (the receiver disputes with its last proof).
    refusal = `the channel's signer ${current.signer} is a key this payer does not hold`;
  }
  if (closingSignature && balanceSignature) {
    const txHash = await cooperativeCloseTx(chainCtx, {
      contract: current.contract,
      sender: current.sender,
      receiver: current.receiver,
      openBlock: current.openBlock,
      balance: current.balance,
      balanceSignature,
      closingSignature,
    });
    const updated = await ctx.save({ ...current, signature: balanceSignature, state: "settled" });
    ctx.emit({ type: "closed", channel: updated, txHash, cooperative: true });
    return { channel: updated, cooperative: true, txHash };
  }
  ctx.emit({ type: "close-refused", channel: current, reason: refusal ?? "unknown" });
  const txHash = await uncooperativeCloseTx(chainCtx, {
    contract: current.contract,
    receiver: current.receiver,
    openBlock: current.openBlock,
    balance: current.balance,
  });
  const info = await readChannel(chainCtx, current.contract, current);
  const updated = await ctx.save({ ...current, state: "closing", settleBlock: info?.settleBlock });
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
