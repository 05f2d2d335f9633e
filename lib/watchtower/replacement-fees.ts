/**
 * Pure fee policy for a dispute that is not being mined: when to replace it (same nonce, higher
 * fees) and by how much, more aggressively as the settle block nears, never above the cap.
 */

/** EIP-1559 fees in wei per gas. On a chain without a base fee `maxFeePerGas` is the gas price. */
export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Nodes refuse a replacement unless both fees rise by at least 12.5 % (geth asks 10 %). */
export const MIN_BUMP_PERMILLE = 125n;

/** How long to wait for inclusion and how much to raise the fees, given the blocks left. */
export interface ReplacementPolicy {
  /** Blocks a transaction may stay unmined before it is replaced. */
  waitBlocks: number;
  /** Fee increase per replacement, in thousandths (never below {@link MIN_BUMP_PERMILLE}). */
  bumpPermille: bigint;
}

/**
 * The policy at `blocksLeft` blocks before the settle block: patient while there is time
 * (3 blocks, +12.5 %), then +50 % every 2 blocks inside the last 100 blocks, and double every
 * block inside the last 20 (and after the settle block, while the sender has not settled).
 */
export function replacementPolicy(blocksLeft: number): ReplacementPolicy {
  if (blocksLeft > 100) return { waitBlocks: 3, bumpPermille: MIN_BUMP_PERMILLE };
  if (blocksLeft > 20) return { waitBlocks: 2, bumpPermille: 500n };
  return { waitBlocks: 1, bumpPermille: 1000n };
}

const raise = (value: bigint, permille: bigint) => (value * (1000n + permille) + 999n) / 1000n;
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/** Fees for a first transaction: the market's, with the fee cap applied. */
export function initialFees(market: Fees, cap: bigint): Fees {
  const maxFeePerGas = min(market.maxFeePerGas, cap);
  return { maxFeePerGas, maxPriorityFeePerGas: min(market.maxPriorityFeePerGas, maxFeePerGas) };
}

/**
 * Fees for a replacement of `sent`: both raised by `bumpPermille`, or to the market's when those
 * are higher, capped at `cap`.
 *
 * @returns `null` when the cap leaves less than the minimum increase nodes accept
 * @example
 * bumpFees({ maxFeePerGas: 100n, maxPriorityFeePerGas: 10n }, market, 1000n, 125n)
 * // { maxFeePerGas: 113n, maxPriorityFeePerGas: 12n } (when the market is lower)
 */
export function bumpFees(
  sent: Fees,
  market: Fees,
  cap: bigint,
  bumpPermille: bigint = MIN_BUMP_PERMILLE,
): Fees | null {
  const permille = max(bumpPermille, MIN_BUMP_PERMILLE);
  const maxFeePerGas = min(cap, max(raise(sent.maxFeePerGas, permille), market.maxFeePerGas));
  const maxPriorityFeePerGas = min(
    maxFeePerGas,
    max(raise(sent.maxPriorityFeePerGas, permille), market.maxPriorityFeePerGas),
  );
  if (
    maxFeePerGas < raise(sent.maxFeePerGas, MIN_BUMP_PERMILLE) ||
    maxPriorityFeePerGas < raise(sent.maxPriorityFeePerGas, MIN_BUMP_PERMILLE)
  )
    return null;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** What to do with a dispute that is still unmined. */
export type ReplacementDecision =
  | { type: "wait" }
  | { type: "replace"; fees: Fees }
  /** It has waited long enough, but the fee cap allows no higher fee. */
  | { type: "capped" };

/**
 * Decides whether an unmined dispute sent at head `sentBlock` with `sent` fees is replaced now.
 *
 * @param settleBlock - the channel's settle block (`null`: unknown, treated as imminent)
 * @example
 * decideReplacement({ sent, sentBlock: 100, head: 103, settleBlock: 600, market, cap })
 * // { type: "replace", fees: { ... 12.5 % higher ... } }
 */
export function decideReplacement(args: {
  sent: Fees;
  sentBlock: number;
  head: number;
  settleBlock: number | null;
  market: Fees;
  cap: bigint;
}): ReplacementDecision {
  const blocksLeft = args.settleBlock === null ? 0 : args.settleBlock - args.head;
  const policy = replacementPolicy(blocksLeft);
  if (args.head - args.sentBlock < policy.waitBlocks) return { type: "wait" };
  const fees = bumpFees(args.sent, args.market, args.cap, policy.bumpPermille);
  return fees ? { type: "replace", fees } : { type: "capped" };
}
