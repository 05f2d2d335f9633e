import { describe, expect, it } from "vitest";
import { channelRow, siteChannelsOf, sortChannelRows } from "@/components/wallet-page/channels";
import { buildChannel } from "../client/builders";

describe("channelRow", () => {
  const stored = buildChannel({ openBlock: 7, deposit: 100n, balance: 30n, state: "open" });

  it("shows the stored record when the chain was not read", () => {
    expect(channelRow(stored, { hasKey: true })).toMatchObject({
      state: "open",
      deposit: 100n,
      spent: 30n,
      remaining: 70n,
      settleBlock: null,
      lostKey: false,
    });
  });

  it("takes deposit and state from the chain", () => {
    const toppedUp = channelRow(stored, {
      onChain: { deposit: 150n, settleBlock: 0, signer: stored.signer },
      hasKey: true,
    });
    expect(toppedUp).toMatchObject({ state: "open", deposit: 150n, remaining: 120n });
    const closing = channelRow(stored, {
      onChain: { deposit: 100n, settleBlock: 640, signer: stored.signer },
      hasKey: true,
    });
    expect(closing).toMatchObject({ state: "closing", settleBlock: 640 });
    const gone = channelRow(
      { ...stored, state: "closing", settleBlock: 640 },
      {
        onChain: null,
        hasKey: true,
      },
    );
    expect(gone).toMatchObject({ state: "settled", remaining: 0n });
  });

  it("uses the site's balance when it is ahead of this browser's (a recovered channel)", () => {
    const recovered = { ...stored, balance: 0n, signature: null };
    expect(channelRow(recovered, { siteBalance: 45n, hasKey: false })).toMatchObject({
      spent: 45n,
      remaining: 55n,
      lostKey: true,
    });
    expect(channelRow(stored, { siteBalance: 10n, hasKey: true }).spent).toBe(30n);
    expect(channelRow(stored, { siteBalance: 500n, hasKey: true }).remaining).toBe(0n);
  });

  it("says a channel found on chain has spent and remaining not known, until the site tells", () => {
    const found = { ...stored, balance: 0n, signature: null, balanceUnknown: true as const };
    expect(channelRow(found, { hasKey: false })).toMatchObject({ spent: null, remaining: null });
    // The site's history (empty: nothing paid) or a corrected balance makes it known.
    expect(channelRow(found, { siteBalance: 0n, hasKey: false })).toMatchObject({
      spent: 0n,
      remaining: 100n,
    });
    expect(channelRow({ ...found, balance: 12n }, { hasKey: true })).toMatchObject({
      spent: 12n,
      remaining: 88n,
    });
    expect(
      channelRow({ ...found, state: "settled" }, { onChain: null, hasKey: true }).remaining,
    ).toBe(0n);
  });
});

describe("siteChannelsOf and sortChannelRows", () => {
  it("keeps the sender's channels to this site's receiver, contract and chain", () => {
    const mine = buildChannel({ openBlock: 1 });
    const site = { chainId: mine.chainId, contract: mine.contract, receiver: mine.receiver };
    const others = [
      buildChannel({ openBlock: 2, chainId: mine.chainId + 1 }),
      buildChannel({ openBlock: 3, receiver: "0x000000000000000000000000000000000000dEaD" }),
      buildChannel({ openBlock: 4, sender: "0x000000000000000000000000000000000000bEEF" }),
    ];
    const upper = {
      ...buildChannel({ openBlock: 5 }),
      contract: mine.contract.toUpperCase().replace("0X", "0x") as `0x${string}`,
    };
    expect(
      siteChannelsOf([mine, ...others, upper], site, mine.sender).map((c) => c.openBlock),
    ).toEqual([1, 5]);
  });

  it("lists open, then closing, then settled channels, newest first", () => {
    const row = (openBlock: number, state: "open" | "closing" | "settled") =>
      channelRow(buildChannel({ openBlock, state }), { hasKey: true });
    const sorted = sortChannelRows([
      row(1, "settled"),
      row(2, "open"),
      row(3, "closing"),
      row(4, "open"),
    ]);
    expect(sorted.map((r) => r.channel.openBlock)).toEqual([4, 2, 3, 1]);
  });
});
