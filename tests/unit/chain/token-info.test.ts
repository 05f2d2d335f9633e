import { BaseError, ContractFunctionExecutionError, HttpRequestError } from "viem";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { ChainConfig } from "@/lib/chain/config";
import { ChainUnavailableError, ConfigError } from "@/lib/errors";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** A chain configuration whose token answers `answer(functionName)`. */
function configWith(answer: (fn: string) => unknown): ChainConfig {
  return {
    deployment: { token: TOKEN },
    chain: { id: 31337 },
    publicClient: {
      readContract: vi.fn(async ({ functionName }: { functionName: string }) => {
        const v = answer(functionName);
        if (v instanceof Error) throw v;
        return v;
      }),
    },
  } as unknown as ChainConfig;
}

let current: ChainConfig;
vi.mock("@/lib/chain/config", () => ({ chainConfig: async () => current }));

const { displayUnit, tokenInfo, tokenUnit } = await import("@/lib/chain/token-info");
const reads = () => (current.publicClient.readContract as ReturnType<typeof vi.fn>).mock.calls;

beforeEach(() => {
  (globalThis as { tokenInfo?: unknown }).tokenInfo = undefined;
});

describe("tokenInfo", () => {
  it("reads symbol and decimals once per chain configuration", async () => {
    current = configWith((fn) => (fn === "decimals" ? 6 : "dUSD"));
    expect(await tokenInfo()).toEqual({ address: TOKEN, symbol: "dUSD", decimals: 6 });
    expect(await tokenUnit()).toEqual({ symbol: "dUSD", decimals: 6 });
    expect(reads()).toHaveLength(2);

    // A new configuration (another deployment) is read again.
    current = configWith((fn) => (fn === "decimals" ? 18 : "TKN"));
    expect(await tokenUnit()).toEqual({ symbol: "TKN", decimals: 18 });
  });

  it("names a token that does not answer, and reads again next time", async () => {
    const revert = new ContractFunctionExecutionError(new BaseError("execution reverted"), {
      abi: [],
      functionName: "decimals",
    });
    current = configWith(() => revert);
    await expect(tokenInfo()).rejects.toThrow(ConfigError);
    await expect(tokenInfo()).rejects.toThrow(
      `the token ${TOKEN} on chain 31337 does not answer decimals() and symbol()`,
    );
    expect(reads().length).toBeGreaterThanOrEqual(4);
    expect(await displayUnit()).toEqual({ symbol: "base units", decimals: 0 });
  });

  it("tells an unreachable RPC (502) from a broken token (503)", async () => {
    current = configWith(() => new HttpRequestError({ url: "http://127.0.0.1:9" }));
    await expect(tokenInfo()).rejects.toThrow(ChainUnavailableError);
  });

  it("refuses answers that are not a token's unit", async () => {
    current = configWith((fn) => (fn === "decimals" ? 300 : "X"));
    await expect(tokenInfo()).rejects.toThrow(/not a usable ERC-20 unit/);
  });
});
