import { describe, expect, it } from "vitest";
import { isConfirmed, projectChannel, type ChannelProjection } from "@/lib/indexer/project";
import {
  SENDER,
  SESSION_KEY,
  closeRequested,
  created,
  settled,
  toppedUp,
  withdrew,
} from "./builders";

const open: ChannelProjection = {
  confirmed: true,
  deposit: 10n,
  seenDeposit: 10n,
  signer: SENDER,
  state: "open",
  settleBlock: null,
  closingBalance: null,
  withdrawn: 0n,
};

describe("isConfirmed", () => {
  it.each([
    { block: 100, head: 100, confirmations: 0, expected: true },
    { block: 100, head: 101, confirmations: 2, expected: false },
    { block: 100, head: 102, confirmations: 2, expected: true },
    { block: 100, head: 99, confirmations: 0, expected: false },
  ])(
    "block $block at head $head with $confirmations confirmations → $expected",
    ({ block, head, confirmations, expected }) => {
      expect(isConfirmed(block, { head, confirmations })).toBe(expected);
    },
  );
});

describe("projectChannel", () => {
  const cases: Array<{
    name: string;
    events: ReturnType<typeof created>[];
    head: number;
    confirmations?: number;
    expected: ChannelProjection | null;
  }> = [
    { name: "no creation event → null", events: [toppedUp(101, "5")], head: 200, expected: null },
    { name: "no events → null", events: [], head: 200, expected: null },
    {
      name: "confirmed creation",
      events: [created(100, "10")],
      head: 105,
      confirmations: 5,
      expected: open,
    },
    {
      name: "unconfirmed creation: seen but no deposit",
      events: [created(100, "10")],
      head: 104,
      confirmations: 5,
      expected: { ...open, confirmed: false, deposit: 0n },
    },
    {
      name: "session-key signer",
      events: [created(100, "10", SESSION_KEY)],
      head: 100,
      expected: { ...open, signer: SESSION_KEY },
    },
    {
      name: "confirmed and pending top-ups",
      events: [created(100, "10"), toppedUp(101, "5"), toppedUp(103, "10")],
      head: 103,
      confirmations: 2,
      expected: { ...open, deposit: 15n, seenDeposit: 25n },
    },
    {
      name: "two top-ups in one block, out of order",
      events: [toppedUp(101, "10", 1), created(100, "10"), toppedUp(101, "5", 0)],
      head: 101,
      expected: { ...open, deposit: 25n, seenDeposit: 25n },
    },
    {
      name: "close request acts before confirmation",
      events: [created(100, "10"), closeRequested(102, "3", 602)],
      head: 102,
      confirmations: 5,
      expected: {
        ...open,
        confirmed: false,
        deposit: 0n,
        state: "closing",
        settleBlock: 602,
        closingBalance: 3n,
      },
    },
    {
      name: "settled after a close keeps the settle block and records the final balance",
      events: [created(100, "10"), closeRequested(102, "3", 602), settled(603, "3")],
      head: 603,
      expected: { ...open, state: "settled", settleBlock: 602, closingBalance: 3n },
    },
    {
      name: "cooperative settle without a close request",
      events: [created(100, "10"), settled(101, "7")],
      head: 101,
      expected: { ...open, state: "settled", closingBalance: 7n },
    },
    {
      name: "withdrawals add up",
      events: [created(100, "10"), withdrew(101, "2"), withdrew(102, "3")],
      head: 102,
      expected: { ...open, withdrawn: 5n },
    },
    {
      name: "a close request after settlement does not reopen (defensive)",
      events: [created(100, "10"), settled(101, "7"), closeRequested(102, "1", 700)],
      head: 102,
      expected: { ...open, state: "settled", closingBalance: 7n },
    },
  ];
  it.each(cases)("$name", ({ events, head, confirmations, expected }) => {
    expect(projectChannel(events, { head, confirmations: confirmations ?? 0 })).toEqual(expected);
  });

  it("amounts above 2^64 stay exact", () => {
    const big = (2n ** 190n).toString();
    expect(
      projectChannel([created(100, big), toppedUp(101, "1")], { head: 101, confirmations: 0 })
        ?.deposit,
    ).toBe(2n ** 190n + 1n);
  });
});
