import { describe, expect, it } from "vitest";
import { findForkPoint, type BlockHash } from "@/lib/indexer/reorg";
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
