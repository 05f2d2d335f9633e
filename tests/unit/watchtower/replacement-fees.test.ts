import { describe, expect, it } from "vitest";
import {
  bumpFees,
  decideReplacement,
  initialFees,
  replacementPolicy,
  type Fees,
} from "@/lib/watchtower/replacement-fees";

const GWEI = 10n ** 9n;
const fees = (maxFee: bigint, tip: bigint): Fees => ({
  maxFeePerGas: maxFee,
  maxPriorityFeePerGas: tip,
});
const sent = fees(10n * GWEI, 2n * GWEI);
const calm = fees(1n * GWEI, 1n * GWEI); // the market is below what was sent
const CAP = 500n * GWEI;

/** A replacement nodes accept: both fees at least 12.5 % higher. */
const acceptable = (before: Fees, after: Fees) =>
  after.maxFeePerGas * 1000n >= before.maxFeePerGas * 1125n &&
  after.maxPriorityFeePerGas * 1000n >= before.maxPriorityFeePerGas * 1125n;

describe("replacementPolicy", () => {
  it.each([
    { blocksLeft: 499, waitBlocks: 3, bumpPermille: 125n },
    { blocksLeft: 101, waitBlocks: 3, bumpPermille: 125n },
    { blocksLeft: 100, waitBlocks: 2, bumpPermille: 500n },
    { blocksLeft: 21, waitBlocks: 2, bumpPermille: 500n },
    { blocksLeft: 20, waitBlocks: 1, bumpPermille: 1000n },
    { blocksLeft: 0, waitBlocks: 1, bumpPermille: 1000n },
    { blocksLeft: -5, waitBlocks: 1, bumpPermille: 1000n },
  ])("$blocksLeft blocks left → wait $waitBlocks, +$bumpPermille‰", (row) => {
    expect(replacementPolicy(row.blocksLeft)).toEqual({
      waitBlocks: row.waitBlocks,
      bumpPermille: row.bumpPermille,
    });
  });
  it("never waits longer nor bumps less as the settle block nears", () => {
    let last = replacementPolicy(1000);
    for (let left = 999; left >= -3; left--) {
      const p = replacementPolicy(left);
      expect(p.waitBlocks).toBeLessThanOrEqual(last.waitBlocks);
      expect(p.bumpPermille).toBeGreaterThanOrEqual(last.bumpPermille);
      expect(p.bumpPermille).toBeGreaterThanOrEqual(125n);
      last = p;
    }
  });
});

describe("initialFees", () => {
  it("takes the market's fees under the cap", () => {
    expect(initialFees(fees(3n, 1n), 10n)).toEqual(fees(3n, 1n));
  });
  it("caps the max fee and keeps the tip within it", () => {
    expect(initialFees(fees(30n, 20n), 10n)).toEqual(fees(10n, 10n));
  });
});

describe("bumpFees", () => {
  it("raises both fees by at least 12.5 %, rounding up", () => {
    expect(bumpFees(fees(100n, 10n), fees(1n, 1n), CAP)).toEqual(fees(113n, 12n));
    expect(bumpFees(fees(8n, 8n), fees(1n, 1n), CAP)).toEqual(fees(9n, 9n));
  });
  it("follows the market when it rose more", () => {
    expect(bumpFees(sent, fees(40n * GWEI, 3n * GWEI), CAP)).toEqual(fees(40n * GWEI, 3n * GWEI));
  });
  it("applies a larger bump when asked, never one below the minimum", () => {
    expect(bumpFees(sent, calm, CAP, 1000n)).toEqual(fees(20n * GWEI, 4n * GWEI));
    expect(bumpFees(sent, calm, CAP, 10n)).toEqual(fees(11_250_000_000n, 2_250_000_000n));
  });
  it("caps the max fee and the tip at MAX_FEE_PER_GAS_WEI", () => {
    const capped = bumpFees(sent, calm, 15n * GWEI, 1000n)!;
    expect(capped).toEqual(fees(15n * GWEI, 4n * GWEI));
    expect(bumpFees(fees(14n, 14n), calm, 16n, 1000n)).toEqual(fees(16n, 16n));
  });
  it("gives up when the cap leaves less than the 12.5 % nodes require", () => {
    expect(bumpFees(sent, calm, 11n * GWEI)).toBeNull();
    expect(bumpFees(sent, calm, sent.maxFeePerGas)).toBeNull();
    expect(bumpFees(fees(10n, 10n), calm, 11n)).toBeNull(); // the tip could not rise enough
  });
  it("repeated bumps stay acceptable to nodes and never pass the cap", () => {
    let current = fees(1_000_000_007n, 1_000_000_000n);
    const cap = 40n * GWEI;
    for (let i = 0; i < 100; i++) {
      const next = bumpFees(current, calm, cap, 500n);
      if (!next) break;
      expect(acceptable(current, next)).toBe(true);
      expect(next.maxFeePerGas).toBeLessThanOrEqual(cap);
      expect(next.maxPriorityFeePerGas).toBeLessThanOrEqual(next.maxFeePerGas);
      current = next;
    }
    expect(bumpFees(current, calm, cap, 500n)).toBeNull();
    expect(current.maxFeePerGas * 1125n).toBeGreaterThan(cap * 1000n); // stopped near the cap
  });
});

describe("decideReplacement", () => {
  const base = { sent, sentBlock: 100, settleBlock: 600, market: calm, cap: CAP };
  it.each<{ name: string; head: number; settleBlock?: number | null; expected: string }>([
    { name: "far from the settle block, 2 blocks unmined: wait", head: 102, expected: "wait" },
    {
      name: "far from the settle block, 3 blocks unmined: replace",
      head: 103,
      expected: "replace",
    },
    {
      name: "inside the last 100 blocks, 2 blocks unmined: replace",
      head: 102,
      settleBlock: 190,
      expected: "replace",
    },
    {
      name: "inside the last 100 blocks, 1 block unmined: wait",
      head: 101,
      settleBlock: 190,
      expected: "wait",
    },
    {
      name: "inside the last 20 blocks, 1 block unmined: replace",
      head: 101,
      settleBlock: 115,
      expected: "replace",
    },
    {
      name: "past the settle block: replace every block",
      head: 101,
      settleBlock: 90,
      expected: "replace",
    },
    {
      name: "unknown settle block: treated as imminent",
      head: 101,
      settleBlock: null,
      expected: "replace",
    },
    { name: "same block it was sent in: wait", head: 100, settleBlock: 90, expected: "wait" },
  ])("$name", ({ head, settleBlock, expected }) => {
    const res = decideReplacement({
      ...base,
      head,
      settleBlock: settleBlock === undefined ? base.settleBlock : settleBlock,
    });
    expect(res.type).toBe(expected);
  });
  it("bumps harder as the settle block nears", () => {
    const far = decideReplacement({ ...base, head: 103 });
    const near = decideReplacement({ ...base, head: 103, settleBlock: 150 });
    const last = decideReplacement({ ...base, head: 103, settleBlock: 110 });
    expect(far).toEqual({ type: "replace", fees: fees(11_250_000_000n, 2_250_000_000n) });
    expect(near).toEqual({ type: "replace", fees: fees(15n * GWEI, 3n * GWEI) });
    expect(last).toEqual({ type: "replace", fees: fees(20n * GWEI, 4n * GWEI) });
  });
  it("reports the cap instead of a replacement nodes would refuse", () => {
    expect(decideReplacement({ ...base, head: 103, cap: 10n * GWEI })).toEqual({ type: "capped" });
  });
});
