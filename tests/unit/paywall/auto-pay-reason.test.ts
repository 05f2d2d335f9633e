import { describe, expect, it } from "vitest";
import type { Address } from "viem";
import { autoPayReason } from "@/components/paywall/auto-pay-reason";
import type { LocalState } from "@/components/paywall/local-state";
import type { AutoPaySettings } from "@/lib/browser";
import type { PayerChannel } from "@/lib/protocol/client";

const T = 10n ** 18n;
const terms = { tokenDecimals: 18, tokenSymbol: "TKN" };
const sender: Address = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
const sessionKey: Address = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const contract: Address = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const channel = (over: Partial<PayerChannel> = {}): PayerChannel => ({
  chainId: 31337,
  contract,
  token: contract,
  receiver: contract,
  sender,
  signer: sessionKey,
  openBlock: 7,
  deposit: 10n * T,
  balance: T,
  signature: null,
  state: "open",
  ...over,
});

const settings = (over: Partial<AutoPaySettings> = {}): AutoPaySettings => ({
  chainId: 31337,
  contract,
  sender,
  mode: "auto",
  maxPerArticle: (2n * T).toString(),
  cap: (2n * T).toString(),
  spent: T.toString(),
  enabled: true,
  updatedAt: 0,
  ...over,
});

const state = (over: Partial<LocalState> = {}): LocalState => ({
  sender,
  usable: channel(),
  lost: [],
  settings: settings(),
  ...over,
});

describe("autoPayReason", () => {
  it("names the spending cap when the price would pass it", () => {
    expect(autoPayReason(state(), (3n * T) / 2n, terms)).toBe(
      "Auto-pay did not pay this article: it would pass your spending cap (1 TKN of 2 TKN spent). Raise the cap or pay it yourself.",
    );
  });

  it("names the per-article limit when the price is above it", () => {
    const s = state({ settings: settings({ cap: (100n * T).toString() }) });
    expect(autoPayReason(s, 3n * T, terms)).toContain("more than your limit of 2 TKN per article");
  });

  it("points to a top-up when the channel no longer covers the price", () => {
    const s = state({ usable: channel({ balance: (19n * T) / 2n }) });
    expect(autoPayReason(s, T, terms)).toBe(
      "Auto-pay did not pay this article: your channel has 0.5 TKN left. Connect your wallet to top it up.",
    );
  });

  it("says nothing when auto-pay was not the reader's choice or would have paid", () => {
    expect(autoPayReason(state({ settings: settings({ mode: "confirm" }) }), 3n * T, terms)).toBe(
      "",
    );
    expect(autoPayReason(state({ settings: settings({ enabled: false }) }), 3n * T, terms)).toBe(
      "",
    );
    expect(autoPayReason(state({ usable: channel({ signer: sender }) }), 3n * T, terms)).toBe("");
    expect(autoPayReason(state({ usable: undefined }), 3n * T, terms)).toBe("");
    expect(autoPayReason(state(), T / 2n, terms)).toBe("");
  });
});
