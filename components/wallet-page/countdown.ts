/**
 * The countdown of a closing channel: blocks until it can be settled and an estimate of the time
 * from the chain's recent block times.
 */

/** A block's number and timestamp (seconds), as the chain reports them. */
export type BlockSample = { number: bigint; timestamp: bigint };

/**
 * Average seconds per block over `samples` (any order): the time between the oldest and the newest
 * sample divided by the blocks between them. Null when there are fewer than two distinct blocks or
 * no time passed (a chain that mines only on demand gives no estimate).
 */
export function secondsPerBlock(samples: readonly BlockSample[]): number | null {
  if (samples.length < 2) return null;
  const sorted = [...samples].sort((a, b) =>
    a.number < b.number ? -1 : a.number > b.number ? 1 : 0,
  );
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const blocks = Number(last.number - first.number);
  const seconds = Number(last.timestamp - first.timestamp);
  if (blocks <= 0 || seconds <= 0) return null;
  return seconds / blocks;
}

/** Where a closing channel stands. */
export type Countdown = {
  /** Blocks to wait before `settle` can be sent (0 when it can be sent now). */
  blocksLeft: number;
  /** `settle` can be sent now: the next block is past the settle block. */
  ready: boolean;
  /** Estimated seconds until ready (null without a block-time estimate; 0 when ready). */
  secondsLeft: number | null;
};

/**
 * The countdown to a settle block. The contract accepts `settle` in a block numbered above
 * `settleBlock`, so it can be sent once the head has reached `settleBlock`.
 *
 * @param elapsedMs - time since `head` was read, subtracted from the estimate so it keeps counting
 *   down between polls (never below one second while blocks remain)
 */
export function settleCountdown(p: {
  settleBlock: number;
  head: bigint;
  secondsPerBlock: number | null;
  elapsedMs?: number;
}): Countdown {
  const left = BigInt(p.settleBlock) - p.head;
  const blocksLeft = left > 0n ? Number(left) : 0;
  if (blocksLeft === 0) return { blocksLeft, ready: true, secondsLeft: 0 };
  if (p.secondsPerBlock === null) return { blocksLeft, ready: false, secondsLeft: null };
  const estimate = blocksLeft * p.secondsPerBlock - (p.elapsedMs ?? 0) / 1000;
  return { blocksLeft, ready: false, secondsLeft: Math.max(1, Math.round(estimate)) };
}

/**
 * A duration for people, to the two largest units: `45 s`, `3 min 20 s`, `2 h 5 min`, `1 d 4 h`.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const units: Array<[string, number]> = [
    ["d", 86_400],
    ["h", 3_600],
    ["min", 60],
    ["s", 1],
  ];
  for (let i = 0; i < units.length; i++) {
    const [name, size] = units[i]!;
    const n = Math.floor(s / size);
    if (n === 0) continue;
    const next = units[i + 1];
    const m = next ? Math.floor((s % size) / next[1]) : 0;
    return m > 0 ? `${n} ${name} ${m} ${next![0]}` : `${n} ${name}`;
  }
  return "0 s";
}

/** The countdown as a sentence: `120 blocks left (about 24 min)`, or that it can be settled. */
export function describeCountdown(c: Countdown): string {
  if (c.ready) return "The challenge period is over: the channel can be settled now.";
  const blocks = `${c.blocksLeft} block${c.blocksLeft === 1 ? "" : "s"} left`;
  return c.secondsLeft === null ? blocks : `${blocks} (about ${formatDuration(c.secondsLeft)})`;
}
