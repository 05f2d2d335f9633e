import { describe, expect, it } from "vitest";
import {
  describeCountdown,
  formatDuration,
  secondsPerBlock,
  settleCountdown,
} from "@/components/wallet-page/countdown";

const block = (number: number, timestamp: number) => ({
  number: BigInt(number),
  timestamp: BigInt(timestamp),
});

describe("secondsPerBlock", () => {
  it("averages over the span of the samples, in any order", () => {
    expect(secondsPerBlock([block(110, 1120), block(100, 1000), block(105, 1070)])).toBe(12);
  });

  it.each([
    ["no samples", []],
    ["one sample", [block(5, 50)]],
    ["one block twice", [block(5, 50), block(5, 50)]],
    ["no time passed (mined on demand)", [block(5, 50), block(9, 50)]],
  ])("gives no estimate for %s", (_name, samples) => {
    expect(secondsPerBlock(samples)).toBeNull();
  });
});

describe("settleCountdown", () => {
  it("counts the blocks until the head reaches the settle block", () => {
    expect(settleCountdown({ settleBlock: 600, head: 480n, secondsPerBlock: 12 })).toEqual({
      blocksLeft: 120,
      ready: false,
      secondsLeft: 1440,
    });
  });

  it("is ready once the head has reached the settle block (settle lands in the next block)", () => {
    expect(settleCountdown({ settleBlock: 600, head: 599n, secondsPerBlock: 12 })).toMatchObject({
      blocksLeft: 1,
      ready: false,
    });
    for (const head of [600n, 601n, 10_000n]) {
      expect(settleCountdown({ settleBlock: 600, head, secondsPerBlock: null })).toEqual({
        blocksLeft: 0,
        ready: true,
        secondsLeft: 0,
      });
    }
  });

  it("counts down between polls but never to zero while blocks remain", () => {
    const c = (elapsedMs: number) =>
      settleCountdown({ settleBlock: 110, head: 100n, secondsPerBlock: 2, elapsedMs }).secondsLeft;
    expect(c(0)).toBe(20);
    expect(c(5_000)).toBe(15);
    expect(c(60_000)).toBe(1);
  });

  it("gives blocks only without a block-time estimate", () => {
    const c = settleCountdown({ settleBlock: 110, head: 100n, secondsPerBlock: null });
    expect(c).toEqual({ blocksLeft: 10, ready: false, secondsLeft: null });
    expect(describeCountdown(c)).toBe("10 blocks left");
  });
});

describe("formatDuration and describeCountdown", () => {
  it.each([
    [0, "0 s"],
    [45, "45 s"],
    [60, "1 min"],
    [200, "3 min 20 s"],
    [3600, "1 h"],
    [7500, "2 h 5 min"],
    [7201, "2 h"],
    [100_800, "1 d 4 h"],
  ])("formats %i s as %s", (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it("describes a running and a finished challenge period", () => {
    expect(describeCountdown({ blocksLeft: 1, ready: false, secondsLeft: 12 })).toBe(
      "1 block left (about 12 s)",
    );
    expect(describeCountdown({ blocksLeft: 0, ready: true, secondsLeft: 0 })).toMatch(
      /can be settled now/,
    );
  });
});
