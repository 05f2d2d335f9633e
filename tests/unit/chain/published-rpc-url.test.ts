/**
 * Off the local development chain the site refuses to serve when RPC_URL would be published with
 * what it carries: every page hands RPC_URL to readers' browsers (and the CSP names its origin)
 * unless PUBLIC_RPC_URL is set. No chain and no network: the check is on the configuration.
 */
import { afterEach, describe, expect, it } from "vitest";
import { publishedRpcUrlProblem, realChainProblems } from "@/lib/chain/config";
import { resetEnv } from "@/lib/env";

const SEPOLIA = 11155111;
const LOCAL = 31337;
// Not a development key's address (those are refused on a real chain for another reason).
const RECEIVER = "0x5B38Da6a701c568545dCfcB03FcB875f56beddC4";
const saved = { RPC_URL: process.env.RPC_URL, PUBLIC_RPC_URL: process.env.PUBLIC_RPC_URL };

function setRpc(rpcUrl: string, publicRpcUrl?: string): void {
  process.env.RPC_URL = rpcUrl;
  if (publicRpcUrl === undefined) delete process.env.PUBLIC_RPC_URL;
  else process.env.PUBLIC_RPC_URL = publicRpcUrl;
  resetEnv();
}

afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
});

describe("realChainProblems and RPC_URL", () => {
  it.each([
    ["a path", "https://eth-sepolia.g.alchemy.com/v2/secret-key-123", "a path"],
    ["a query", "https://rpc.example.com/?apikey=secret-key-123", "a query"],
    ["credentials", "https://user:secret-key-123@rpc.example.com", "credentials"],
    [
      "a path and credentials",
      "https://u:secret-key-123@rpc.example.com/x",
      "credentials and a path",
    ],
  ])(
    "refuses an RPC_URL with %s when PUBLIC_RPC_URL is unset, naming both variables",
    (_name, rpcUrl, carries) => {
      setRpc(rpcUrl);
      const problems = realChainProblems(SEPOLIA, RECEIVER);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(
        `RPC_URL (${new URL(rpcUrl).protocol}//${new URL(rpcUrl).host}) carries ${carries}`,
      );
      expect(problems[0]).toContain("set PUBLIC_RPC_URL");
      // The message names what RPC_URL carries, never the secret itself.
      expect(problems[0]).not.toContain("secret-key-123");
    },
  );

  it("accepts it once PUBLIC_RPC_URL is set", () => {
    setRpc("https://eth-sepolia.g.alchemy.com/v2/secret-key-123", "https://rpc.sepolia.org");
    expect(realChainProblems(SEPOLIA, RECEIVER)).toEqual([]);
  });

  it.each([["https://rpc.sepolia.org"], ["https://rpc.sepolia.org/"], ["http://10.0.0.5:8545"]])(
    "accepts a bare RPC_URL %s without PUBLIC_RPC_URL",
    (rpcUrl) => {
      setRpc(rpcUrl);
      expect(realChainProblems(SEPOLIA, RECEIVER)).toEqual([]);
    },
  );

  it("does not apply to the local development chain", () => {
    setRpc("http://127.0.0.1:8545/some/path?x=1");
    expect(realChainProblems(LOCAL, RECEIVER)).toEqual([]);
  });
});

describe("publishedRpcUrlProblem", () => {
  it("names a fragment too", () => {
    expect(publishedRpcUrlProblem("https://rpc.example.com/#key")).toMatch(/carries a fragment/);
  });
});
