/**
 * The paywall's choice of how a deposit reaches the contract: the site's relay (one signature, no
 * gas) when it offers one, the reader's own transaction as the second choice when they have ETH,
 * the relay alone when they have none, and only their own transaction when the site (or its
 * token) cannot relay.
 */
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { depositWays, OpenForm } from "@/components/paywall/open-form";
import { TopUpForm } from "@/components/paywall/top-up-form";
import type { SiteTerms } from "@/components/paywall/types";
import type { PayerChannel } from "@/lib/protocol/client";

const base: SiteTerms = {
  receiver: "0x00000000000000000000000000000000000000aa",
  contract: "0x00000000000000000000000000000000000000bb",
  token: "0x00000000000000000000000000000000000000cc",
  chainId: 31337,
  rpcUrl: "http://127.0.0.1:8545",
  localChain: true,
  relayCloses: true,
  startBlock: 1,
  gatewayPath: "/api/1",
  tokenSymbol: "dUSD",
  tokenDecimals: 6,
  typicalPrice: "10000",
};
const relayed: SiteTerms = {
  ...base,
  relay: { url: "/api/1/channels", minDeposit: "1000000", minValiditySeconds: 60 },
};

const openForm = (terms: SiteTerms, canPayGas?: boolean) =>
  renderToStaticMarkup(
    createElement(OpenForm, {
      terms,
      price: 10_000n,
      busy: false,
      tokenBalance: 10n ** 9n,
      canPayGas,
      onOpen: async () => {},
    }),
  );

const channel: PayerChannel = {
  chainId: 31337,
  contract: base.contract,
  token: base.token,
  receiver: base.receiver,
  sender: "0x00000000000000000000000000000000000000dd",
  signer: "0x00000000000000000000000000000000000000dd",
  openBlock: 5,
  deposit: 1_000_000n,
  balance: 995_000n,
  signature: null,
  state: "open",
};

const topUpForm = (terms: SiteTerms, canPayGas?: boolean) =>
  renderToStaticMarkup(
    createElement(TopUpForm, {
      terms,
      price: 10_000n,
      channel,
      busy: false,
      canPayGas,
      onTopUp: async () => {},
    }),
  );

describe("depositWays", () => {
  it.each([
    [false, undefined, ["self"]],
    [false, true, ["self"]],
    [false, false, ["self"]],
    [true, undefined, ["relay", "self"]],
    [true, true, ["relay", "self"]],
    [true, false, ["relay"]],
  ] as const)("relay offered %s, gas %s → %j", (offered, gas, ways) => {
    expect(depositWays(offered ? relayed : base, gas)).toEqual(ways);
  });
});

describe("OpenForm", () => {
  it("offers no deposit preset under the relay's minimum when the deposit goes through it", () => {
    // typical 10000 (1 cent): presets 5, 10, 25 cents; the relay's minimum is $1.00.
    const presets = (html: string) =>
      [...html.matchAll(/<button[^>]*class="link-button"[^>]*>([^<]*)<\/button>/g)].map(
        (m) => m[1],
      );
    expect(presets(openForm(relayed, false))).toEqual(["$1.00"]);
    expect(presets(openForm(base, true))).toEqual(["$0.05", "$0.10", "$0.25"]);
  });
  it("offers the relay first and the reader's own transaction second when they have ETH", () => {
    const html = openForm(relayed, true);
    expect(html).toContain('data-testid="open-via-relay"');
    expect(html).toContain('data-testid="open-via-self"');
    expect(html).toMatch(/<input[^>]*data-testid="open-via-relay"[^>]*checked=""/);
    expect(html).not.toMatch(/<input[^>]*data-testid="open-via-self"[^>]*checked=""/);
    expect(html).not.toContain("open-via-relay-only");
    // The default deposit meets the relay's minimum (1 dUSD), above 10 × the typical price.
    expect(html).toMatch(/data-testid="deposit-input"[^>]*value="1"/);
    expect(html).toContain('data-testid="open-channel"');
  });

  it("offers only the relay, and says why, to a reader without ETH", () => {
    const html = openForm(relayed, false);
    expect(html).toContain('data-testid="open-via-relay-only"');
    expect(html).toContain("no ETH for gas");
    expect(html).not.toContain('data-testid="open-via-self"');
  });

  it("shows no choice when the site does not relay (a token without EIP-3009)", () => {
    const html = openForm(base, false);
    expect(html).not.toContain("open-via");
    expect(html).toMatch(/data-testid="deposit-input"[^>]*value="0.1"/);
  });
});

describe("TopUpForm", () => {
  it("has the same choice under its own test ids", () => {
    expect(topUpForm(relayed, true)).toContain('data-testid="topup-via-self"');
    expect(topUpForm(relayed, false)).toContain('data-testid="topup-via-relay-only"');
    const plain = topUpForm(base, true);
    expect(plain).not.toContain("topup-via");
    expect(plain).toContain('data-testid="topup-button"');
  });
});
