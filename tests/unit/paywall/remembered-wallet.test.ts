import { describe, expect, it } from "vitest";
import { rememberedAccount, walletButtonLabel } from "@/components/paywall/remembered-wallet";

const ACCOUNT = "0x1CBd3b2770909D4e10f157cABC84C7264073C9Ec";

/** localStorage as wagmi 2 leaves it after connecting MetaMask. */
const storage = (value: unknown) => ({
  getItem: (key: string) =>
    key === "wagmi.store" && value !== undefined
      ? typeof value === "string"
        ? value
        : JSON.stringify(value)
      : null,
});

const connected = (current: string | null, accounts: unknown = [ACCOUNT]) => ({
  state: {
    connections: {
      __type: "Map",
      value: [
        [
          "b0a8cd59d31",
          { accounts, chainId: 31337, connector: { id: "io.metamask", uid: "b0a8cd59d31" } },
        ],
      ],
    },
    chainId: 31337,
    current,
  },
  version: 2,
});

describe("rememberedAccount", () => {
  it("reads the current connection's first account, lower case", () => {
    expect(rememberedAccount(storage(connected("b0a8cd59d31")))).toBe(ACCOUNT.toLowerCase());
  });

  it("is undefined without a current connection, after a disconnect or with nothing stored", () => {
    expect(rememberedAccount(storage(connected(null)))).toBeUndefined();
    expect(rememberedAccount(storage(connected("another-uid")))).toBeUndefined();
    expect(rememberedAccount(storage(undefined))).toBeUndefined();
  });

  it("ignores what it cannot read: bad JSON, no accounts, not an address, storage that throws", () => {
    expect(rememberedAccount(storage("{not json"))).toBeUndefined();
    expect(rememberedAccount(storage(connected("b0a8cd59d31", [])))).toBeUndefined();
    expect(rememberedAccount(storage(connected("b0a8cd59d31", ["0x12"])))).toBeUndefined();
    const blocked = {
      getItem: () => {
        throw new DOMException("denied", "SecurityError");
      },
    };
    expect(rememberedAccount(blocked)).toBeUndefined();
  });
});

describe("walletButtonLabel", () => {
  const base = { price: "$0.05", priceUnits: 50_000n, walletPays: false, connected: true };

  it("says what the click does", () => {
    expect(walletButtonLabel({ ...base, walletPays: true })).toBe("Pay $0.05 with your wallet");
    expect(walletButtonLabel({ ...base, connected: false })).toBe("Connect wallet");
    expect(walletButtonLabel(base)).toBe("Open a channel");
    expect(walletButtonLabel({ ...base, usable: { deposit: 100_000n, balance: 60_000n } })).toBe(
      "Top up your channel",
    );
    expect(walletButtonLabel({ ...base, usable: { deposit: 100_000n, balance: 50_000n } })).toBe(
      "Continue with your wallet",
    );
  });
});
