/**
 * A browser-style signature: `eth_signTypedData_v4` answered by a real anvil (its default accounts
 * are unlocked), checked against both recoverers and against local signing. anvil hashes the typed
 * data with its own (Rust) EIP-712 implementation, so this also pins our encoding independently.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWalletClient, http, type Hex } from "viem";
import { foundry } from "viem/chains";
import { privateKeyToAccount } from "viem/accounts";
import {
  channelDomain,
  recoverBalanceProofSigner,
  recoverClosingProofSigner,
  signBalanceProof,
  signClosingProof,
} from "@/lib/protocol";
import { createProofVerifier } from "@/lib/protocol/fast-verify";
import { startAnvil, type AnvilInstance } from "../helpers/anvil";

const SENDER_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const RECEIVER_KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const sender = privateKeyToAccount(SENDER_KEY);
const receiver = privateKeyToAccount(RECEIVER_KEY);
/** Same as tests/unit/protocol/fixtures.ts PINNED.balanceProofSignature. */
const PINNED_BALANCE_SIG =
  "0x19afe8796d28c025fdd8aef4ee62b5be2ae558d0fe55c755e8a32591d3cf451f39e6933ec2c3c9d690972c5cdcff81030e01811a463f7620604a549f75f331361b";

let anvil: AnvilInstance;

beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

describe("eth_signTypedData_v4 against anvil", () => {
  const domain = channelDomain({ chainId: 31337, contract: CONTRACT });
  const message = {
    sender: sender.address,
    receiver: receiver.address,
    openBlockNumber: 1234567,
    balance: 1_500_000_000_000_000_000n,
  };
  const verifier = createProofVerifier({ chainId: 31337, contract: CONTRACT });

  it("anvil answers on chain 31337", async () => {
    const response = await fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    expect(((await response.json()) as { result: string }).result).toBe("0x7a69");
  });

  it("a BalanceProof signed by the unlocked JSON-RPC account recovers on both paths and equals local signing", async () => {
    // A JSON-RPC account (address only): viem sends eth_signTypedData_v4 to the node.
    const walletClient = createWalletClient({
      account: sender.address,
      chain: foundry,
      transport: http(anvil.rpcUrl),
    });
    const remote = await signBalanceProof({ walletClient, domain, message });
    const local = await signBalanceProof({ account: sender, domain, message });
    expect(remote).toBe(local);
    expect(remote).toBe(PINNED_BALANCE_SIG);
    expect(await recoverBalanceProofSigner(domain, message, remote)).toBe(sender.address);
    expect(verifier.recoverBalanceProofSigner(message, remote)).toBe(sender.address);
  });

  it("a ClosingProof signed by the receiver through a client without a default account", async () => {
    const walletClient = createWalletClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const remote = await signClosingProof({
      walletClient,
      account: receiver.address,
      domain,
      message,
    });
    expect(remote).toBe(await signClosingProof({ account: receiver, domain, message }));
    expect(await recoverClosingProofSigner(domain, message, remote)).toBe(receiver.address);
    expect(verifier.recoverClosingProofSigner(message, remote)).toBe(receiver.address);
    expect(verifier.verifyBalanceProof(message, remote, receiver.address)).toBe(false);
  });
});
