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
import { buildChain } from "./chain";
import type { Deployment } from "./deployment";

interface Artifact {
  abi: readonly unknown[];
  bytecode: { object: Hex };
}

function readArtifact(root: string, name: string): Artifact {
  const file = path.join(root, "contracts/out", `${name}.sol`, `${name}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Artifact;
  } catch (cause) {
    throw new Error(`cannot read ${file}: run \`npm run contracts:build\` first`, { cause });
  }
}

/** The demo tokens the deployment can create, with their decimals. */
export const DEMO_TOKENS = { DemoDollar: 6, DemoToken: 18 } as const;
export type DemoTokenName = keyof typeof DEMO_TOKENS;

export interface DeployOptions {
  rpcUrl: string;
  privateKey: Hex;
  /** Existing ERC-20 to use; when absent the demo token is deployed. */
  token?: Address;
  /**
   * The demo token to deploy when no `token` is given: `DemoDollar` (default; USDC-shaped, 6
   * decimals, permit and EIP-3009, its minter is the deployer) or `DemoToken` (TKN, 18 decimals).
   */
  demoToken?: DemoTokenName;
  challengePeriod?: number;
  /** Demo token supply minted to the deployer (whole tokens; default 10,000,000). */
  initialSupply?: bigint;
  /** Repository root holding contracts/out. */
  root?: string;
  log?: (line: string) => void;
}

/**
 * Deploys the channel contract (and the demo token when no token is given: DemoDollar unless
 * `demoToken` says otherwise) and returns the deployment record the app reads.
 */
export async function deployContracts(opts: DeployOptions): Promise<Deployment> {
  const root = opts.root ?? process.cwd();
  const log = opts.log ?? (() => {});
  const account = privateKeyToAccount(opts.privateKey);
  const transport = http(opts.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ transport });
  const chainId = await publicClient.getChainId();
  const chain = buildChain(chainId, opts.rpcUrl);
  const wallet = createWalletClient({ account, chain, transport });
  const genesis = await publicClient.getBlock({ blockNumber: 0n });

  async function deploy(
    name: string,
    args: readonly unknown[],
  ): Promise<{ address: Address; block: bigint }> {
    const artifact = readArtifact(root, name);
    log(`deploying ${name}…`);
    const hash = await wallet.deployContract({
      abi: artifact.abi,
      bytecode: artifact.bytecode.object,
      args,
    } as Parameters<typeof wallet.deployContract>[0]);
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 250 });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new Error(`deployment of ${name} failed in transaction ${hash}`);
    }
    log(`${name} at ${receipt.contractAddress} (block ${receipt.blockNumber})`);
    return { address: getAddress(receipt.contractAddress), block: receipt.blockNumber };
  }

  const demo = opts.demoToken ?? "DemoDollar";
  const supply = (opts.initialSupply ?? 10_000_000n) * 10n ** BigInt(DEMO_TOKENS[demo]);
  const token = opts.token ?? (await deploy(demo, [supply])).address;
  const challengePeriod = opts.challengePeriod ?? 500;
  const channels = await deploy("MicroTransferChannels", [token, challengePeriod]);
  return {
    chainId,
    genesisHash: genesis.hash!,
    contract: channels.address,
    token,
    startBlock: Number(channels.block),
    challengePeriod,
    deployer: account.address,
    deployedAt: new Date().toISOString(),
  };
}
