/**
 * Deploys the channel contract (and the demo token unless TOKEN_ADDRESS is given) to any chain.
 *
 *   RPC_URL=https://… DEPLOYER_PRIVATE_KEY=0x… [TOKEN_ADDRESS=0x…] npm run deploy
 *
 * Without a token it deploys the demo token: DemoDollar (dUSD, 6 decimals), or DemoToken (TKN,
 * 18 decimals) with `--demo-token DemoToken`.
 *
 * Prints the addresses and writes the deployment file the app reads (DEPLOYMENT_FILE,
 * default data/deployment.json).
 */
import { Command } from "commander";
import { createPublicClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { isLocalChain } from "../lib/chain/chain";
import { isDevAddress } from "../lib/chain/dev-keys";
import { DEMO_TOKENS, deployContracts, type DemoTokenName } from "../lib/chain/deploy";
import { writeDeployment } from "../lib/chain/deployment";
import { addressSchema, privateKeySchema } from "../lib/protocol/wire";

const program = new Command()
  .name("deploy")
  .description("Deploy MicroTransferChannels (and the demo token when no token is given)")
  .option("--rpc-url <url>", "JSON-RPC endpoint", process.env.RPC_URL ?? "http://127.0.0.1:8545")
  .option("--token <address>", "existing ERC-20 token to use", process.env.TOKEN_ADDRESS)
  .option(
    "--demo-token <name>",
    "demo token to deploy when no --token is given: DemoDollar (6 decimals) or DemoToken (18)",
    "DemoDollar",
  )
  .option(
    "--challenge-period <blocks>",
    "challenge period in blocks (≥ 500; required on any chain but the local development chain)",
    process.env.CHALLENGE_PERIOD,
  )
  .option(
    "--out <file>",
    "deployment file to write",
    process.env.DEPLOYMENT_FILE ?? "data/deployment.json",
  )
  .addHelpText(
    "after",
    "\nThe deployer key is read from DEPLOYER_PRIVATE_KEY (never from the command line).",
  );

async function main(): Promise<void> {
  program.parse();
  const opts = program.opts<{
    rpcUrl: string;
    token?: string;
    demoToken: string;
    challengePeriod?: string;
    out: string;
  }>();
  const parsedKey = privateKeySchema.safeParse(process.env.DEPLOYER_PRIVATE_KEY ?? "");
  if (!parsedKey.success) {
    throw new Error("DEPLOYER_PRIVATE_KEY must be set to a 0x-prefixed 32-byte hex private key");
  }
  const key = parsedKey.data;
  const token = opts.token === undefined ? undefined : addressSchema.safeParse(opts.token);
  if (token && !token.success) throw new Error(`--token ${opts.token} is not an address`);
  if (!(opts.demoToken in DEMO_TOKENS))
    throw new Error(`--demo-token must be one of ${Object.keys(DEMO_TOKENS).join(", ")}`);
  const client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 1 }) });
  const chainId = await client.getChainId().catch((cause: unknown) => {
    throw new Error(`the RPC ${opts.rpcUrl} does not answer eth_chainId`, { cause });
  });
  const local = isLocalChain(chainId);
  const deployer = privateKeyToAccount(key).address;
  if (!local && isDevAddress(deployer)) {
    throw new Error(
      `DEPLOYER_PRIVATE_KEY is a well-known development key (${deployer}); its private key is public, use your own on chain ${chainId}`,
    );
  }
  const period = opts.challengePeriod?.trim() || undefined;
  if (period === undefined && !local) {
    throw new Error(
      `--challenge-period is required on chain ${chainId}: the number of blocks a reader's close waits for the site's dispute (choose at least a day of blocks)`,
    );
  }
  const challengePeriod = Number(period ?? 500);
  if (
    !Number.isInteger(challengePeriod) ||
    challengePeriod < 500 ||
    challengePeriod > 2 ** 32 - 1
  ) {
    throw new Error("--challenge-period must be an integer between 500 and 2^32-1");
  }
  if (!local) {
    const perDay = await blocksPerDay(client);
    if (perDay !== undefined && challengePeriod < perDay) {
      console.warn(
        `warning: a challenge period of ${challengePeriod} blocks is shorter than 24 hours on chain ${chainId} (about ${perDay} blocks a day): if the site is offline longer than that, a reader can close at an old balance`,
      );
    }
  }
  const deployment = await deployContracts({
    rpcUrl: opts.rpcUrl,
    privateKey: key,
    token: token?.data,
    demoToken: opts.demoToken as DemoTokenName,
    challengePeriod,
    log: (line) => console.log(line),
  });
  writeDeployment(opts.out, deployment);
  console.log(`\nchain id          ${deployment.chainId}`);
  console.log(`channel contract  ${deployment.contract}`);
  console.log(`token             ${deployment.token}`);
  console.log(`start block       ${deployment.startBlock}`);
  console.log(`wrote ${opts.out}`);
}

/** Blocks a day on this chain, estimated from the timestamps of the last 1,000 blocks. */
async function blocksPerDay(
  client: ReturnType<typeof createPublicClient>,
): Promise<number | undefined> {
  const head = await client.getBlock();
  const span = head.number < 1000n ? head.number : 1000n;
  if (span === 0n) return undefined;
  const past = await client.getBlock({ blockNumber: head.number - span });
  const seconds = Number(head.timestamp - past.timestamp);
  if (seconds <= 0) return undefined;
  return Math.ceil((86_400 * Number(span)) / seconds);
}

main().catch((err: unknown) => {
  console.error(`deploy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
