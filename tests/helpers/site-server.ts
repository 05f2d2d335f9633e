/**
 * The real site as a client sees it: anvil (a block every second, so confirmations arrive on
 * their own) with the contracts deployed, a migrated and seeded database (a SQLite file, or a
 * PostgreSQL database with TEST_DATABASE=postgres: see test-database.ts), and the production
 * build served by `next start` on a free port with the indexer running. Requires a production
 * build in NEXT_DIST_DIR (default `.next`).
 */
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
  type Hex,
  type PublicClient,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import { deployContracts } from "@/lib/chain/deploy";
import { writeDeployment, type Deployment } from "@/lib/chain/deployment";
import { startAnvil, type AnvilProcess } from "../../scripts/lib/anvil";
import { ANVIL_KEY_0, prepareSite } from "../../scripts/lib/prepare-site";
import { deployDemoDollar } from "./demo-dollar";
import { startNextServer, type NextServer } from "./next-server";
import { createTestDatabase, type TestDatabase } from "./test-database";

const root = path.resolve(__dirname, "../..");

export interface SiteServer {
  url: string;
  rpcUrl: string;
  deployment: Deployment;
  receiver: Address;
  publicClient: PublicClient;
  testClient: ReturnType<typeof createTestClient>;
  server: NextServer;
  /** The server's environment: another instance started with it serves the same site. */
  serverEnv: Record<string, string>;
  /** A new account with `eth` ETH and `tokens` demo tokens (from the deployer). */
  fundedAccount(tokens: bigint, eth?: bigint): Promise<{ key: Hex; address: Address }>;
  stop(): Promise<void>;
}

/** Throws a clear error when there is no production build to serve. */
export function assertBuildExists(): void {
  const distDir = process.env.NEXT_DIST_DIR ?? ".next";
  if (!existsSync(path.join(root, distDir, "BUILD_ID"))) {
    throw new Error(
      `no production build in ${distDir}/: these tests serve the site with \`next start\`. ` +
        `Run \`npx next build\` first` +
        (process.env.NEXT_DIST_DIR ? ` with NEXT_DIST_DIR=${distDir}.` : "."),
    );
  }
}

/**
 * Starts anvil, prepares the site and serves it; `env` is added to the server's environment.
 * `token: "DemoDollar"` deploys DemoDollar (EIP-3009, 6 decimals; its minter is the receiver)
 * instead of DemoToken, so the site offers its relay.
 */
export async function startSiteServer(
  opts: { env?: Record<string, string>; blockTime?: number; token?: "DemoDollar" } = {},
): Promise<SiteServer> {
  assertBuildExists();
  const anvil: AnvilProcess = await startAnvil({ blockTime: opts.blockTime ?? 1 });
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-client-"));
  let database: TestDatabase | undefined;
  const cleanup = async () => {
    await anvil.stop();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    database = await createTestDatabase(dir);
    const databaseUrl = database.url;
    const deploymentFile = path.join(dir, "deployment.json");
    if (opts.token === "DemoDollar") {
      // A deployment already on file is kept by prepareSite (it only migrates and seeds).
      const token = await deployDemoDollar({
        rpcUrl: anvil.rpcUrl,
        privateKey: ANVIL_KEY_0,
        initialSupply: 10n ** 30n,
      });
      writeDeployment(
        deploymentFile,
        await deployContracts({ rpcUrl: anvil.rpcUrl, privateKey: ANVIL_KEY_0, root, token }),
      );
    }
    const { deployment } = await prepareSite({ rpcUrl: anvil.rpcUrl, databaseUrl, deploymentFile });
    const serverEnv: Record<string, string> = {
      DATABASE_URL: databaseUrl,
      RPC_URL: anvil.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
      SESSION_SECRET: "client-session-secret-0123456789abcdef0123",
      API_TOKEN: "client-api-token-0123456789",
      CONFIRMATIONS: "1",
      INDEXER_ENABLED: "true",
      SYNC_INTERVAL_MS: "300",
      ...opts.env,
    };
    const server = await startNextServer({ env: serverEnv });
    const chain = buildChain(deployment.chainId, anvil.rpcUrl);
    const publicClient = createPublicClient({
      chain,
      transport: http(anvil.rpcUrl),
      pollingInterval: 100,
    }) as PublicClient;
    const testClient = createTestClient({ chain, mode: "anvil", transport: http(anvil.rpcUrl) });
    const deployer = createWalletClient({
      chain,
      transport: http(anvil.rpcUrl),
      account: privateKeyToAccount(ANVIL_KEY_0),
    });
    return {
      url: server.url,
      rpcUrl: anvil.rpcUrl,
      deployment,
      receiver: privateKeyToAccount(ANVIL_KEY_0).address,
      publicClient,
      testClient,
      server,
      serverEnv,
      async fundedAccount(tokens, eth = parseEther("10")) {
        const key = generatePrivateKey();
        const { address } = privateKeyToAccount(key);
        await testClient.setBalance({ address, value: eth });
        if (tokens > 0n) {
          const hash = await deployer.writeContract({
            address: deployment.token,
            abi: demoTokenAbi,
            functionName: "transfer",
            args: [address, tokens],
          });
          const receipt = await publicClient.waitForTransactionReceipt({ hash });
          if (receipt.status !== "success") throw new Error(`funding ${address} reverted`);
        }
        return { key, address };
      },
      async stop() {
        await server.stop();
        await cleanup();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/** The site token balance of `address`. */
export function tokenBalance(site: SiteServer, address: Address): Promise<bigint> {
  return site.publicClient.readContract({
    address: site.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [address],
  });
}

/** The `ChannelCreated` events of `sender` on the site's contract, oldest first. */
export function channelsCreatedBy(site: SiteServer, sender: Address) {
  return site.publicClient.getContractEvents({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    eventName: "ChannelCreated",
    args: { sender },
    fromBlock: 0n,
  });
}
