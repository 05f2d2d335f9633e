/**
 * A real site backend for integration tests: anvil with the deployed contracts, a migrated
 * throwaway database (a SQLite file, or a PostgreSQL database with TEST_DATABASE=postgres: see
 * test-database.ts), and process.env pointing the app's modules at both. On PostgreSQL the test
 * process leads (holds the leader lock), as only the leader sends the receiver's transactions.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  type Address,
  type Chain,
  type PrivateKeyAccount,
  type Transport,
  type WalletClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { resetChainConfig } from "@/lib/chain/config";
import { acquireLeadership, releaseLeadership } from "@/lib/cluster/leadership";
import { deployContracts } from "@/lib/chain/deploy";
import { writeDeployment, type Deployment } from "@/lib/chain/deployment";
import { resetDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import { startAnvil, type AnvilInstance } from "./anvil";
import { deployDemoDollar } from "./demo-dollar";
import { createTestDatabase, type TestDatabase } from "./test-database";

const root = path.resolve(__dirname, "../..");

/** anvil's development keys, re-exported for the suites that import them from here. */
export { ANVIL_KEYS };

export const TOKEN = 10n ** 18n;
/** One cent of the fixture's DemoToken (seeded prices are cents: 5 cents = 5n * CENT). */
export const CENT = TOKEN / 100n;

/** The operator API token (API_TOKEN) of the fixture's site. */
export const API_TOKEN = "test-api-token-0123456789";

export interface SiteFixture {
  anvil: AnvilInstance;
  rpcUrl: string;
  deployment: Deployment;
  dir: string;
  databaseUrl: string;
  /** The fixture's database (its kind and URL). */
  database: TestDatabase;
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

/** Compiles the contracts once when an artifact the tests deploy is missing. */
export function ensureContractsBuilt(): void {
  const artifacts = ["MicroTransferChannels", "DemoToken", "DemoDollar"].map((name) =>
    path.join(root, `contracts/out/${name}.sol/${name}.json`),
  );
  if (!artifacts.every((file) => existsSync(file))) runScript(["scripts/forge.mjs", "build"]);
}

/**
 * Starts anvil, deploys the contracts, migrates a fresh database (SQLite file or PostgreSQL
 * database, see test-database.ts) and points process.env at them.
 * `env` adds or overrides variables (e.g. `{ CONFIRMATIONS: "2" }`); `token: "DemoDollar"` deploys
 * DemoDollar (EIP-3009, 6 decimals; its minter is the receiver) instead of DemoToken.
 */
export async function startSiteFixture(
  opts: { env?: Record<string, string>; anvilArgs?: string[]; token?: "DemoDollar" } = {},
): Promise<SiteFixture> {
  ensureContractsBuilt();
  const anvil = await startAnvil({ args: opts.anvilArgs });
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-test-"));
  let database: TestDatabase | undefined;
  const cleanup = async () => {
    await anvil.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  let deployment: Deployment;
  const deploymentFile = path.join(dir, "deployment.json");
  try {
    database = await createTestDatabase(dir);
    const token =
      opts.token === "DemoDollar"
        ? await deployDemoDollar({
            rpcUrl: anvil.rpcUrl,
            privateKey: ANVIL_KEYS[0]!,
            initialSupply: 10_000_000n * TOKEN,
          })
        : undefined;
    deployment = await deployContracts({
      rpcUrl: anvil.rpcUrl,
      privateKey: ANVIL_KEYS[0]!,
      root,
      token,
      // The suites run on an 18-decimals token unless they ask for DemoDollar.
      demoToken: "DemoToken",
    });
    writeDeployment(deploymentFile, deployment);
    runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: database.url });
  } catch (err) {
    await cleanup();
    throw err;
  }
  const databaseUrl = database.url;

  Object.assign(process.env, {
    NODE_ENV: "test",
    DATABASE_URL: databaseUrl,
    RPC_URL: anvil.rpcUrl,
    DEPLOYMENT_FILE: deploymentFile,
    RECEIVER_PRIVATE_KEY: ANVIL_KEYS[0],
    SESSION_SECRET: "test-session-secret-0123456789abcdef0123456789",
    API_TOKEN,
    CONFIRMATIONS: "0",
    INDEXER_ENABLED: "false",
    INDEXER_MAX_LAG_BLOCKS: "1000000000",
    MIN_RECEIVER_ETH_WEI: "1000000000000000",
    ...opts.env,
  });
  resetEnv();
  resetChainConfig();
  await resetDb();
  // The PostgreSQL pass: this process is the leader, like the instance whose loop runs the
  // watchtower (suites that start their own server lead, or not, themselves).
  if (database.kind === "postgres" && !(await acquireLeadership()))
    throw new Error("the test process could not take the leader lock of its fresh database");

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
    database,
    receiver,
    readers,
    publicClient,
    testClient,
    wallet,
    openChannel,
    mine: (n) => testClient.mine({ blocks: n }),
    async stop() {
      if (database.kind === "postgres") await releaseLeadership();
      await resetDb();
      await cleanup();
    },
  };
}

/**
 * Starts a site fixture before the file's tests and stops it after them. `onStart` receives the
 * fixture before any test runs (to keep it in the file's own variable).
 */
export function setupSiteFixture(
  onStart: (site: SiteFixture) => void | Promise<void>,
  opts?: Parameters<typeof startSiteFixture>[0],
): void {
  let site: SiteFixture | undefined;
  beforeAll(async () => {
    site = await startSiteFixture(opts);
    await onStart(site);
  });
  afterAll(async () => {
    await site?.stop();
  });
}

/** Runs `fn` with some environment variables changed (undefined deletes one), restoring them after. */
export async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
    resetEnv();
    resetChainConfig();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

export { parseEther };
