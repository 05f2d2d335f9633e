import type { PublicClient } from "viem";
import type { Deployment } from "./deployment";

export type DeploymentCheck =
  { ok: true } | { ok: false; reason: "wrong-chain" | "chain-reset" | "no-code"; message: string };

/**
 * Tells whether a recorded deployment still matches the chain behind `client`: same chain id,
 * same genesis block (a reset local chain has a new one) and contract code at both addresses.
 */
export async function checkDeployment(
  client: PublicClient,
  deployment: Deployment,
): Promise<DeploymentCheck> {
  const chainId = await client.getChainId();
  if (chainId !== deployment.chainId) {
    return {
      ok: false,
      reason: "wrong-chain",
      message: `the deployment is for chain ${deployment.chainId} but the RPC serves chain ${chainId}`,
    };
  }
  const genesis = await client.getBlock({ blockNumber: 0n });
  if (genesis.hash !== deployment.genesisHash) {
    return {
      ok: false,
      reason: "chain-reset",
      message: "the chain was reset (its genesis block differs from the recorded one)",
    };
  }
  for (const [name, address] of [
    ["channel contract", deployment.contract],
    ["token", deployment.token],
  ] as const) {
    const code = await client.getCode({ address });
    if (!code || code === "0x") {
      return { ok: false, reason: "no-code", message: `no ${name} code at ${address}` };
    }
  }
  return { ok: true };
}
