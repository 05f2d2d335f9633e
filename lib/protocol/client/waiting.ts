/**
 * Waiting for the site to catch up with the chain: block confirmations, and telling a site that
 * merely lags from one that no longer accepts a channel.
 */
import { readChannel } from "./chain";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { channelName, type PayerChannel } from "./types";

/** Looks a channel the site does not know up on chain; true when the site merely lags. */
export async function siteLags(ctx: PayerContext, channel: PayerChannel): Promise<boolean> {
  const info = await readChannel(await ctx.chainContext(), channel.contract, channel);
  const current = await ctx.latest(channel);
  if (info === null) {
    const updated = await ctx.save({ ...current, state: "settled" });
    ctx.emit({ type: "channel-state-changed", channel: updated, reason: "settled on chain" });
    return false;
  }
  if (info.settleBlock !== 0) {
    const updated = await ctx.save({ ...current, state: "closing", settleBlock: info.settleBlock });
    ctx.emit({ type: "channel-state-changed", channel: updated, reason: "closing on chain" });
    return false;
  }
  if (current.balance === 0n) return true; // opened, not indexed by the site yet
  const updated = await ctx.save({ ...current, siteRefused: true });
  ctx.emit({
    type: "channel-state-changed",
    channel: updated,
    reason: "the site no longer accepts payments on it (close it)",
  });
  return false;
}

/**
 * Waits until `blocks` more blocks are mined.
 *
 * @throws {PayerError} "confirmations-timeout" once `deadline` (epoch ms) passes.
 */
export async function waitBlocks(
  ctx: PayerContext,
  blocks: number,
  deadline: number,
): Promise<void> {
  const target = (await ctx.publicClient.getBlockNumber()) + BigInt(blocks);
  while ((await ctx.publicClient.getBlockNumber()) < target) {
    if (Date.now() >= deadline) throw confirmationsTimeout(ctx);
    await sleep(ctx.pollingIntervalMs);
  }
}

/** The error for a site that did not accept a channel within the confirmation timeout. */
export const confirmationsTimeout = (ctx: PayerContext, channel?: PayerChannel) =>
  new PayerError(
    "confirmations-timeout",
    `The site did not accept ${channel ? `channel ${channelName(channel)}` : "the channel"} ` +
      `within ${ctx.timeoutMs} ms: it has not seen it (or its deposit) confirmed yet. Try again later.`,
  );

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves in a later task of the event loop, after every pending microtask (Node's
 * `setImmediate`, a zero timeout elsewhere): what was started before has issued its requests.
 */
export function nextTask(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === "function" ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}
