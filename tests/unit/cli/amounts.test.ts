import { describe, expect, it } from "vitest";
import type { PublicClient } from "viem";
import {
  adoptTokenUnits,
  formatTokens,
  parseTokenAmount,
  tokenUnits,
} from "@/scripts/client/amounts";

/** A client whose token answers `decimals()` and `symbol()` as given (an Error: the call reverts). */
function tokenClient(decimals: number | Error, symbol: string | Error): PublicClient {
  return {
    readContract: async ({ functionName }: { functionName: string }) => {
      const v = functionName === "decimals" ? decimals : symbol;
      if (v instanceof Error) throw v;
      return v;
    },
  } as unknown as PublicClient;
}

describe("CLI amounts follow the site's token", () => {
  it("parses and prints in the token's decimals and symbol once it is known", async () => {
    expect(tokenUnits()).toEqual({ decimals: 18, symbol: "TKN" });
    expect(parseTokenAmount("1.5", "--max-price")).toBe(1_500_000_000_000_000_000n);

    await adoptTokenUnits(tokenClient(6, "USDC"), "0x00000000000000000000000000000000000000a1");
    expect(parseTokenAmount("1.5", "--max-price")).toBe(1_500_000n);
    // A dollar token is printed in dollars (lib/format.ts formatToken).
    expect(formatTokens(2_500_000n)).toBe("$2.50");
    expect(() => parseTokenAmount("0.0000001", "--deposit")).toThrow(
      '--deposit: "0.0000001" is not an amount of USDC (a decimal number with at most 6 decimals',
    );
  });

  it("falls back to 18 decimals and 'tokens' for a token without the optional getters", async () => {
    await adoptTokenUnits(
      tokenClient(new Error("revert"), new Error("revert")),
      "0x00000000000000000000000000000000000000a2",
    );
    expect(tokenUnits()).toEqual({ decimals: 18, symbol: "tokens" });
    expect(formatTokens(10n ** 18n)).toBe("1 tokens");
  });
});
