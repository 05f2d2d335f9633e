import { describe, expect, it } from "vitest";
import {
  chooseDepositRoute,
  isPayerError,
  relayAmount,
  relayCap,
  relayEndpoint,
  relayTopUpUrl,
  type RelayEndpoint,
  type RouteInput,
} from "@/lib/protocol/client";

const offer = { url: "/api/1/channels", min_deposit: 1_000_000n, min_validity_seconds: 60 };
const relay: RelayEndpoint = relayEndpoint(offer, "https://site.example")!;

describe("relayEndpoint", () => {
  it("resolves the offer against the site's origin", () => {
    expect(relay).toEqual({
      origin: "https://site.example",
      openUrl: "https://site.example/api/1/channels",
      minDeposit: 1_000_000n,
      minValiditySeconds: 60,
    });
    expect(relayTopUpUrl(relay, "0xAb", 7)).toBe(
      "https://site.example/api/1/channels/0xAb/7/topups",
    );
  });

  it.each([
    ["another origin", "https://evil.example/api/1/channels"],
    ["a protocol-relative URL", "//evil.example/api/1/channels"],
    ["a query", "/api/1/channels?to=x"],
  ])("ignores an offer on %s", (_, url) => {
    expect(relayEndpoint({ ...offer, url }, "https://site.example")).toBeUndefined();
  });

  it("needs an offer and an origin", () => {
    expect(relayEndpoint(undefined, "https://site.example")).toBeUndefined();
    expect(relayEndpoint(offer, undefined)).toBeUndefined();
  });
});

describe("relayAmount and relayCap", () => {
  it("keeps an amount that meets the minimum", () => {
    expect(relayAmount(5n, 3n, 5n)).toBe(5n);
  });
  it("raises an amount to the minimum within the cap, never above it", () => {
    expect(relayAmount(50n, 1000n, 1000n)).toBe(1000n);
    expect(relayAmount(50n, 1001n, 1000n)).toBeUndefined();
  });
  it("caps by what maxDeposit leaves, else by ten times the planned amount", () => {
    expect(relayCap(50n, 2000n)).toBe(2000n);
    expect(relayCap(50n, 2000n, 1500n)).toBe(500n);
    expect(relayCap(50n, 1000n, 1500n)).toBe(0n);
    expect(relayCap(50n, undefined)).toBe(500n);
  });
});

describe("chooseDepositRoute", () => {
  const input = (o: Partial<RouteInput> & { gas?: boolean }): RouteInput => ({
    via: "auto",
    what: "open",
    relay,
    relayAmount: 1_000_000n,
    hasGas: async () => o.gas ?? false,
    ...o,
  });

  it.each([
    // via, relay offered, has gas → route
    ["auto", true, false, "relay"],
    ["auto", true, true, "self"],
    ["auto", false, false, "self"],
    ["auto", false, true, "self"],
    ["self", true, false, "self"],
    ["self", true, true, "self"],
    ["relay", true, true, "relay"],
    ["relay", true, false, "relay"],
  ] as const)("via %s, relay offered %s, gas %s → %s", async (via, offered, gas, expected) => {
    const choice = await chooseDepositRoute(
      input({ via, gas, relay: offered ? relay : undefined }),
    );
    expect(choice.via).toBe(expected);
    if (choice.via === "relay") expect(choice.amount).toBe(1_000_000n);
  });

  it("asks for the ETH balance only when it decides something", async () => {
    let asked = 0;
    const hasGas = async () => (asked++, true);
    await chooseDepositRoute(input({ via: "self", hasGas }));
    await chooseDepositRoute(input({ via: "relay", hasGas }));
    await chooseDepositRoute(input({ via: "auto", relay: undefined, hasGas }));
    expect(asked).toBe(0);
    await chooseDepositRoute(input({ via: "auto", hasGas }));
    expect(asked).toBe(1);
  });

  it("refuses a forced relay when the site offers none", async () => {
    const err = await chooseDepositRoute(input({ via: "relay", relay: undefined })).catch(
      (e: unknown) => e,
    );
    expect(isPayerError(err, "relay-unavailable")).toBe(true);
  });

  it("refuses to relay above the payer's limits instead of raising the deposit", async () => {
    for (const via of ["relay", "auto"] as const) {
      const err = await chooseDepositRoute(input({ via, relayAmount: undefined })).catch(
        (e: unknown) => e,
      );
      expect(isPayerError(err, "over-policy")).toBe(true);
    }
    // With ETH for gas, auto opens with the payer's own transaction instead.
    const choice = await chooseDepositRoute(input({ relayAmount: undefined, gas: true }));
    expect(choice.via).toBe("self");
  });
});
