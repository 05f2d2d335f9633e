import { describe, expect, it } from "vitest";
import { toChannelRecord } from "@/lib/api/channels";
import type { Channel } from "@/lib/db/generated/client";

/** A stored channel row with what the amounts depend on. */
const row = (over: Partial<Channel>): Channel =>
  ({
    id: 1,
    sender: "0x0000000000000000000000000000000000000001",
    openBlock: 7,
    receiver: "0x0000000000000000000000000000000000000002",
    signer: "0x0000000000000000000000000000000000000001",
    state: "open",
    confirmed: true,
    deposit: "1000",
    balance: "465",
    signature: null,
    withdrawn: "0",
    closeSigned: false,
    settleBlock: null,
    closingBalance: null,
    dispute: null,
    disputeTx: null,
    disputeError: null,
    disputeBalance: null,
    ...over,
  }) as Channel;

describe("toChannelRecord", () => {
  it("counts an open channel's accepted balance not yet withdrawn as unclaimed", () => {
    expect(toChannelRecord(row({ withdrawn: "100" }))).toMatchObject({
      unclaimed: 365n,
      settledPaid: 0n,
    });
  });

  it("shows what settlement paid, and nothing as unclaimed, once settled", () => {
    expect(
      toChannelRecord(row({ state: "settled", closingBalance: "465", withdrawn: "0" })),
    ).toMatchObject({ withdrawn: 0n, unclaimed: 0n, settledPaid: 465n });
    expect(
      toChannelRecord(row({ state: "settled", closingBalance: "465", withdrawn: "400" })),
    ).toMatchObject({ unclaimed: 0n, settledPaid: 65n });
    // Settled at a balance below what the receiver had withdrawn: settlement paid nothing.
    expect(
      toChannelRecord(row({ state: "settled", closingBalance: "0", withdrawn: "0" })),
    ).toMatchObject({ unclaimed: 0n, settledPaid: 0n });
  });
});
