import { describe, expect, it } from "vitest";
import { describeEvent } from "@/components/wallet-page/progress";
import { formatToken } from "@/lib/format";
import { buildChannel } from "../client/builders";

const fmt = (v: bigint) => formatToken(v, { symbol: "TKN", decimals: 18 });
const channel = buildChannel({ openBlock: 42 });
const hash = `0x${"ab".repeat(32)}` as const;

describe("describeEvent", () => {
  it("says what the payer is doing, in token units", () => {
    expect(describeEvent({ type: "topping-up", channel, amount: 2n * 10n ** 18n }, fmt)).toBe(
      "Adding 2 TKN to the channel opened in block 42: confirm in your wallet…",
    );
    expect(describeEvent({ type: "transaction-sent", what: "topUp", txHash: hash }, fmt)).toBe(
      "Transaction sent (topUp, 0xabababab…): waiting for it to be mined…",
    );
    expect(describeEvent({ type: "close-refused", channel, reason: "site down" }, fmt)).toMatch(
      /^No closing signature from the site \(site down\)/,
    );
  });

  it("tells a cooperative close from one that starts the challenge period", () => {
    expect(
      describeEvent({ type: "closed", channel, txHash: hash, cooperative: true }, fmt),
    ).toMatch(/closed and settled/);
    expect(
      describeEvent({ type: "closed", channel, txHash: hash, cooperative: false }, fmt),
    ).toMatch(/challenge period has started/);
  });

  it("stays silent on events of paying", () => {
    expect(
      describeEvent({ type: "payment-required", url: "/x", price: 1n, reason: "r" }, fmt),
    ).toBeUndefined();
  });
});
