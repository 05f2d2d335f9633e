import { describe, expect, it } from "vitest";
import {
  chainUnavailableAlert,
  closeAlerts,
  disputeAlerts,
  formatDuration,
  indexerAlert,
  receiverEthAlert,
  type ChannelFacts,
} from "@/lib/admin/alerts";

const T = 10n ** 18n;
const channel = (overrides: Partial<ChannelFacts> = {}): ChannelFacts => ({
  sender: "0x00000000000000000000000000000000000000a1",
  openBlock: 10,
  state: "open",
  balance: 3n * T,
  closingBalance: null,
  settleBlock: null,
  dispute: null,
  disputeError: null,
  ...overrides,
});

describe("receiverEthAlert", () => {
  const min = 10n ** 15n;
  it("warns below the minimum a dispute needs", () => {
    const alert = receiverEthAlert(min - 1n, min);
    expect(alert).toMatchObject({ kind: "receiver-eth-low", severity: "danger" });
    expect(alert!.message).toContain("0.001 ETH");
  });
  it("is quiet at or above it", () => {
    expect(receiverEthAlert(min, min)).toBeUndefined();
    expect(receiverEthAlert(10n ** 18n, min)).toBeUndefined();
  });
});

describe("indexerAlert", () => {
  const now = new Date("2026-11-28T12:00:00Z");
  const opts = { maxLagBlocks: 30, syncIntervalMs: 2000, now };
  const status = (lag: number, ageMs: number) => ({
    syncedBlock: 1000 - lag,
    headBlock: 1000,
    updatedAt: new Date(now.getTime() - ageMs),
  });

  it("is quiet within the lag and a recent pass", () => {
    expect(indexerAlert(status(30, 19_999), opts)).toBeUndefined();
  });
  it("warns when the lag exceeds the limit", () => {
    expect(indexerAlert(status(31, 0), opts)).toMatchObject({
      kind: "indexer-behind",
      message: expect.stringContaining("31 blocks behind"),
    });
  });
  it("warns when the last pass is older than 10 sync intervals", () => {
    expect(indexerAlert(status(0, 20_001), opts)).toMatchObject({
      kind: "indexer-behind",
      message: expect.stringContaining("20 s ago"),
    });
  });
  it("warns before the first pass", () => {
    expect(indexerAlert(null, opts)?.kind).toBe("indexer-behind");
  });
});

const TKN = { symbol: "TKN", decimals: 18 };

describe("closeAlerts", () => {
  const closing = channel({ state: "closing", closingBalance: T, settleBlock: 600 });

  it("flags a close below the accepted balance with its deadline", () => {
    const [alert, ...rest] = closeAlerts([closing], 100, { localChain: false, unit: TKN });
    expect(rest).toHaveLength(0);
    expect(alert).toMatchObject({
      kind: "close-awaiting-dispute",
      severity: "danger",
      channel: { sender: closing.sender, openBlock: 10 },
      deadline: { settleBlock: 600, blocksLeft: 500, estimatedSeconds: 6000 },
    });
    expect(alert!.message).toContain("before block 600");
    expect(alert!.message).toContain("about 1 h 40 min (estimate at 12 s per block)");
    expect(alert!.message).toContain("1 TKN");
  });

  it("gives no time estimate on the local chain", () => {
    const [alert] = closeAlerts([closing], 100, { localChain: true, unit: TKN });
    expect(alert!.deadline!.estimatedSeconds).toBeNull();
    expect(alert!.message).not.toContain("estimate");
  });

  it("counts no negative blocks once the deadline passed", () => {
    expect(
      closeAlerts([closing], 700, { localChain: false, unit: TKN })[0]!.deadline!.blocksLeft,
    ).toBe(0);
  });

  it.each([
    ["a close at the accepted balance", { closingBalance: 3n * T }],
    ["a close above it", { closingBalance: 4n * T }],
    ["an open channel", { state: "open" }],
    ["a settled channel", { state: "settled" }],
    ["a close not yet read", { closingBalance: null }],
    ["a finished dispute", { dispute: "done" }],
  ])("is quiet for %s", (_name, overrides) => {
    expect(
      closeAlerts([{ ...closing, ...overrides }], 100, { localChain: false, unit: TKN }),
    ).toEqual([]);
  });
});

describe("disputeAlerts", () => {
  it.each([
    ["pending", null, "warn"],
    ["submitted", null, "warn"],
    ["submitted", "replacement underpriced", "danger"],
    ["no-eth", null, "danger"],
  ] as const)("flags a dispute %s (error %s) as %s", (dispute, disputeError, severity) => {
    const [alert] = disputeAlerts([channel({ state: "closing", dispute, disputeError })]);
    expect(alert).toMatchObject({ kind: "dispute-pending", severity });
    expect(alert!.message).toContain(dispute);
    if (disputeError) expect(alert!.message).toContain(disputeError);
  });

  it.each([null, "done"])("is quiet for dispute %s", (dispute) => {
    expect(disputeAlerts([channel({ dispute })])).toEqual([]);
  });
});

describe("chainUnavailableAlert / formatDuration", () => {
  it("carries the message", () => {
    expect(chainUnavailableAlert("rpc down")).toMatchObject({
      kind: "chain-unavailable",
      severity: "danger",
      message: "rpc down",
    });
  });
  it.each([
    [45, "45 s"],
    [720, "12 min"],
    [12_000, "3 h 20 min"],
    [187_200, "2 d 4 h"],
  ])("%i s reads %s", (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
