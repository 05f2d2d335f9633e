/**
 * A real site backend for integration tests: anvil with the deployed contracts, a migrated
 * throwaway SQLite file, and process.env pointing the app's modules at both.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  type Address,
  type Chain,
  type Hex,
  type PrivateKeyAccount,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { resetChainConfig } from "@/lib/chain/config";
import { deployContracts } from "@/lib/chain/deploy";
import { writeDeployment, type Deployment } from "@/lib/chain/deployment";
import { resetDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { startAnvil, type AnvilInstance } from "./anvil";

const root = path.resolve(__dirname, "../..");

/** anvil's default development keys (public; never use them on a real network). */
export const ANVIL_KEYS: readonly Hex[] = [
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
  "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
  "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
  "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
  "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
  "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
  "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
];

export const TOKEN = 10n ** 18n;

export interface SiteFixture {
  anvil: AnvilInstance;
  rpcUrl: string;
  deployment: Deployment;
  dir: string;
  databaseUrl: string;
  receiver: PrivateKeyAccount;
  /** Readers: anvil accounts 1–9, each funded with 1,000 TKN. */
  readers: PrivateKeyAccount[];
  publicClient: ReturnType<typeof createPublicClient>;
  testClient: ReturnType<typeof createTestClient>;
  /** A wallet client for any account on the fixture chain. */
  wallet(account: PrivateKeyAccount): WalletClient<Transport, Chain, PrivateKeyAccount>;
  /** Opens a channel from `reader` to the receiver (approve + createChannel); returns its open block. */
  openChannel(reader: PrivateKeyAccount, deposit: bigint, signer?: Address): Promise<number>;
  /** Mines `n` blocks. */
  mine(n: number): Promise<void>;
  stop(): Promise<void>;
}

/** Runs a repository script and throws with its output when it fails. */
export function runScript(args: string[], env: Record<string, string> = {}): void {
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (res.status !== 0) throw new Error(`${args.join(" ")} failed:\n${res.stdout}${res.stderr}`);
}

/** Compiles the contracts once when their artifacts are missing. */
export function ensureContractsBuilt(): void {
  if (
    !existsSync(
      path.join(root, "contracts/out/MicroTransferChannels.sol/MicroTransferChannels.json"),
    )
  ) {
    runScript(["scripts/forge.mjs", "build"]);
  }
}

/**
 * Starts anvil, deploys the contracts, migrates a fresh SQLite file and points process.env at them.
 * `env` adds or overrides variables (e.g. `{ CONFIRMATIONS: "2" }`).
 */
export async function startSiteFixture(
  opts: { env?: Record<string, string>; anvilArgs?: string[] } = {},
): Promise<SiteFixture> {
  ensureContractsBuilt();
  const anvil = await startAnvil({ args: opts.anvilArgs });
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-test-"));
  const databaseUrl = `file:${path.join(dir, "site.db")}`;
  const deploymentFile = path.join(dir, "deployment.json");
  const deployment = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    privateKey: ANVIL_KEYS[0]!,
    root,
  });
  writeDeployment(deploymentFile, deployment);
  runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: databaseUrl });

  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    RPC_URL: anvil.rpcUrl,
    DEPLOYMENT_FILE: deploymentFile,
    RECEIVER_PRIVATE_KEY: ANVIL_KEYS[0],
    SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
    API_TOKEN: "test-api-token-0123456789",
    CONFIRMATIONS: "0",
    INDEXER_ENABLED: "false",
    INDEXER_MAX_LAG_BLOCKS: "1000000000",
    MIN_RECEIVER_ETH_WEI: "1000000000000000",
    ...opts.env,
  });
  resetEnv();
  resetChainConfig();
  await resetDb();

  const chain = buildChain(deployment.chainId, anvil.rpcUrl);
  const transport = http(anvil.rpcUrl, { retryCount: 0 });
  const publicClient = createPublicClient({ chain, transport });
  const testClient = createTestClient({ chain, transport, mode: "anvil" });
  const wallet = (account: PrivateKeyAccount): WalletClient<Transport, Chain, PrivateKeyAccount> =>
    createWalletClient({ chain, transport, account });
  const receiver = privateKeyToAccount(ANVIL_KEYS[0]!);
  const readers = ANVIL_KEYS.slice(1).map((k) => privateKeyToAccount(k));
  const deployer = wallet(receiver);
  for (const r of readers) {
    const hash = await deployer.writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "transfer",
      args: [r.address, 1000n * TOKEN],
    });
    await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }

  async function openChannel(
    reader: PrivateKeyAccount,
    deposit: bigint,
    signer?: Address,
  ): Promise<number> {
    const w = wallet(reader);
    const approve = await w.writeContract({
      address: deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [deployment.contract, deposit],
    });
    await publicClient.waitForTransactionReceipt({ hash: approve, pollingInterval: 50 });
    const hash = await w.writeContract({
      address: deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "createChannel",
      args: [receiver.address, deposit, signer ?? "0x0000000000000000000000000000000000000000"],
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    if (receipt.status !== "success") throw new Error("createChannel reverted");
    return Number(receipt.blockNumber);
  }

  return {
    anvil,
    rpcUrl: anvil.rpcUrl,
    deployment,
    dir,
    databaseUrl,
    receiver,
    readers,
    publicClient,
    testClient,
    wallet,
    openChannel,
    mine: (n) => testClient.mine({ blocks: n }),
    async stop() {
      await resetDb();
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export { parseEther };
