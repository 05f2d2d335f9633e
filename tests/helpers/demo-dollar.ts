/**
 * DemoDollar (6 decimals, EIP-2612 and EIP-3009) for the relay suites: the demo still deploys
 * DemoToken, so these tests deploy DemoDollar themselves. Its deployer is its `minter()`.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  type Address,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoDollarAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";

const root = path.resolve(__dirname, "../..");

/**
 * Deploys DemoDollar with `initialSupply` base units minted to the deployer (the minter).
 *
 * @returns the token's address
 */
export async function deployDemoDollar(opts: {
  rpcUrl: string;
  privateKey: Hex;
  initialSupply: bigint;
}): Promise<Address> {
  const artifact = JSON.parse(
    readFileSync(path.join(root, "contracts/out/DemoDollar.sol/DemoDollar.json"), "utf8"),
  ) as { bytecode: { object: Hex } };
  const transport = http(opts.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport });
  const chain = buildChain(await publicClient.getChainId(), opts.rpcUrl);
  const wallet = createWalletClient({
    account: privateKeyToAccount(opts.privateKey),
    chain,
    transport,
  });
  const hash = await wallet.deployContract({
    abi: demoDollarAbi,
    bytecode: artifact.bytecode.object,
    args: [opts.initialSupply],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  if (receipt.status !== "success" || !receipt.contractAddress)
    throw new Error(`DemoDollar deployment failed in ${hash}`);
  return getAddress(receipt.contractAddress);
}
