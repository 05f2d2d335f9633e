import { describe, expect, it } from "vitest";
import { checkChunk, findForkPoint, type BlockHash, type StoredEvent } from "@/lib/indexer/reorg";
import { overlapBlocks } from "@/lib/indexer/sync";
import { identityMismatch } from "@/lib/indexer/sync-state";
import { nextDelay } from "@/lib/indexer/runner";
import { chunkRange } from "@/lib/indexer/fetch-events";

const h = (n: number, fork = "") => `0x${fork}${n.toString(16).padStart(8, "0")}`;
const recorded: BlockHash[] = [10, 20, 21, 22, 23].map((number) => ({ number, hash: h(number) }));

describe("findForkPoint", () => {
  const cases: Array<{
    name: string;
    chain: (n: number) => string | null;
    expected: number | null;
  }> = [
    { name: "no change", chain: (n) => h(n), expected: null },
    { name: "head replaced", chain: (n) => (n >= 23 ? h(n, "ff") : h(n)), expected: 23 },
    { name: "two blocks replaced", chain: (n) => (n >= 22 ? h(n, "ff") : h(n)), expected: 22 },
    { name: "chain got shorter", chain: (n) => (n > 21 ? null : h(n)), expected: 22 },
    {
      name: "fork below a gap in the records",
      chain: (n) => (n >= 15 ? h(n, "ff") : h(n)),
      expected: 11,
    },
    { name: "deeper than anything recorded → fallback", chain: (n) => h(n, "ff"), expected: 5 },
  ];
  it.each(cases)("$name", async ({ chain, expected }) => {
    expect(await findForkPoint(recorded, async (n) => chain(n), 5)).toBe(expected);
  });

  it("nothing recorded → nothing to compare", async () => {
    expect(await findForkPoint([], async () => null, 5)).toBeNull();
  });

  it("asks only for the newest hash when it matches", async () => {
    const asked: number[] = [];
    await findForkPoint(recorded, async (n) => (asked.push(n), h(n)), 5);
    expect(asked).toEqual([23]);
  });
});

describe("findForkPoint within the overlap window", () => {
  // 20 and 23 are chunk ends; 21 holds an event recorded from another fork than 23's hash.
  const inWindow: BlockHash[] = [
    { number: 20, hash: h(20) },
    { number: 21, hash: h(21, "ee") },
    { number: 23, hash: h(23) },
  ];
  it("compares every recorded block in the window, not only the newest", async () => {
    expect(await findForkPoint(inWindow, async (n) => h(n), 5, 18)).toBe(21);
  });
  it("without a window the newest match hides the stale event block", async () => {
    expect(await findForkPoint(inWindow, async (n) => h(n), 5)).toBeNull();
  });
  it("an event's own hash and the block row must both match", async () => {
    const twice = [...recorded, { number: 22, hash: h(22, "ee") }];
    expect(await findForkPoint(twice, async (n) => h(n), 5, 20)).toBe(22);
  });
  it("resumes after the newest matching block below the lowest mismatch", async () => {
    const chain = (n: number) => (n === 23 ? h(n, "ff") : h(n));
    expect(await findForkPoint(recorded, async (n) => chain(n), 5, 20)).toBe(23);
  });
  it("below the window the walk stops at the first match", async () => {
    const asked: number[] = [];
    await findForkPoint(recorded, async (n) => (asked.push(n), h(n)), 5, 22);
    expect(asked).toEqual([23, 22, 21]);
  });
});

describe("checkChunk", () => {
  const ev = (blockNumber: number, fork = "", logIndex = 0, tx = "01"): StoredEvent => ({
    txHash: `0x${tx.repeat(32)}`,
    logIndex,
    blockNumber,
    blockHash: h(blockNumber, fork) as `0x${string}`,
  });
  const canonical = (...numbers: number[]) => new Map(numbers.map((n) => [n, h(n)]));
  it.each([
    {
      name: "new logs on canonical blocks",
      fetched: [ev(10), ev(12, "", 1, "02")],
      stored: [],
      expected: { type: "consistent" },
    },
    {
      name: "stored events fetched again in the same blocks",
      fetched: [ev(10), ev(12, "", 1, "02")],
      stored: [ev(10)],
      expected: { type: "consistent" },
    },
    {
      name: "a log carrying another fork's block hash",
      fetched: [ev(12, "ff")],
      stored: [],
      expected: { type: "inconsistent" },
    },
    {
      name: "a stored event of a still canonical block is missing (lagging log node)",
      fetched: [],
      stored: [ev(10)],
      expected: { type: "inconsistent" },
    },
    {
      name: "a stored event whose block left the chain is missing",
      fetched: [],
      stored: [ev(10, "ff")],
      expected: { type: "fork", fromBlock: 10 },
    },
    {
      name: "a stored event re-seen in a later block",
      fetched: [ev(12)],
      stored: [ev(10, "ff")],
      expected: { type: "fork", fromBlock: 10 },
    },
    {
      name: "a stored event re-seen in the same block number with another hash",
      fetched: [ev(12)],
      stored: [ev(12, "ff")],
      expected: { type: "fork", fromBlock: 12 },
    },
  ])("$name", ({ fetched, stored, expected }) => {
    expect(checkChunk(fetched, stored, canonical(10, 12, 14))).toMatchObject(expected);
  });
  it("a recorded block hash that differs from the chain's is a fork", () => {
    expect(checkChunk([], [], canonical(10, 14), [{ number: 14, hash: h(14, "ff") }])).toEqual({
      type: "fork",
      fromBlock: 14,
    });
    expect(checkChunk([], [], canonical(10), [{ number: 14, hash: h(14, "ff") }])).toEqual({
      type: "consistent",
    });
  });
});

describe("overlapBlocks", () => {
  it.each([
    { overlap: 12, confirmations: 5, expected: 12 },
    { overlap: 3, confirmations: 20, expected: 20 },
  ])("max($overlap, $confirmations) = $expected", ({ overlap, confirmations, expected }) => {
    expect(overlapBlocks({ INDEXER_OVERLAP_BLOCKS: overlap, CONFIRMATIONS: confirmations })).toBe(
      expected,
    );
  });
});

describe("identityMismatch", () => {
  const id = {
    chainId: 31337,
    genesisHash: "0xaa",
    contract: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    receiver: "0x01",
  };
  it.each([
    {
      name: "same (address case ignored)",
      other: { ...id, contract: id.contract.toLowerCase() },
      expected: [],
    },
    {
      name: "redeployed contract",
      other: { ...id, contract: "0x0000000000000000000000000000000000000001" },
      expected: ["contract"],
    },
    { name: "reset chain", other: { ...id, genesisHash: "0xbb" }, expected: ["genesisHash"] },
    {
      name: "other chain and receiver",
      other: { ...id, chainId: 1, receiver: "0x02" },
      expected: ["chainId", "receiver"],
    },
  ])("$name", ({ other, expected }) => {
    expect(identityMismatch(id, other)).toEqual(expected);
  });
});

describe("chunkRange", () => {
  it.each([
    {
      from: 1,
      to: 10,
      size: 5,
      expected: [
        [1, 5],
        [6, 10],
      ],
    },
    {
      from: 1,
      to: 11,
      size: 5,
      expected: [
        [1, 5],
        [6, 10],
        [11, 11],
      ],
    },
    { from: 7, to: 7, size: 100, expected: [[7, 7]] },
    { from: 8, to: 7, size: 100, expected: [] },
  ])("[$from, $to] by $size", ({ from, to, size, expected }) => {
    expect(chunkRange(from, to, size)).toEqual(expected);
  });
});

describe("nextDelay", () => {
  it.each([
    { failures: 0, expected: 2000 },
    { failures: 1, expected: 4000 },
    { failures: 3, expected: 16000 },
    { failures: 50, expected: 60000 },
  ])("after $failures failures → $expected ms", ({ failures, expected }) => {
    expect(nextDelay(2000, failures)).toBe(expected);
  });
});
