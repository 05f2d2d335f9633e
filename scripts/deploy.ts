/**
 * Deploys the channel contract (and the demo token unless TOKEN_ADDRESS is given) to any chain.
 *
 *   RPC_URL=https://… DEPLOYER_PRIVATE_KEY=0x… [TOKEN_ADDRESS=0x…] npm run deploy
 *
 * Prints the addresses and writes the deployment file the app reads (DEPLOYMENT_FILE,
 * default data/deployment.json).
 */
import { Command } from "commander";
import { getAddress, isAddress, isHex, type Hex } from "viem";
import { deployContracts } from "../lib/chain/deploy";
import { writeDeployment } from "../lib/chain/deployment";

const program = new Command()
  .name("deploy")
  .description("Deploy MicroTransferChannels (and the demo token when no token is given)")
  .option("--rpc-url <url>", "JSON-RPC endpoint", process.env.RPC_URL ?? "http://127.0.0.1:8545")
  .option("--token <address>", "existing ERC-20 token to use", process.env.TOKEN_ADDRESS)
  .option(
    "--challenge-period <blocks>",
    "challenge period in blocks (≥ 500)",
    process.env.CHALLENGE_PERIOD ?? "500",
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
    challengePeriod: string;
    out: string;
  }>();
  const key = process.env.DEPLOYER_PRIVATE_KEY;
  if (!key || !isHex(key) || key.length !== 66) {
    throw new Error("DEPLOYER_PRIVATE_KEY must be set to a 0x-prefixed 32-byte hex private key");
  }
  if (opts.token && !isAddress(opts.token, { strict: false })) {
    throw new Error(`--token ${opts.token} is not an address`);
  }
  const challengePeriod = Number(opts.challengePeriod);
  if (
    !Number.isInteger(challengePeriod) ||
    challengePeriod < 500 ||
    challengePeriod > 2 ** 32 - 1
  ) {
    throw new Error("--challenge-period must be an integer between 500 and 2^32-1");
  }
  const deployment = await deployContracts({
    rpcUrl: opts.rpcUrl,
    privateKey: key as Hex,
    token: opts.token ? getAddress(opts.token) : undefined,
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

main().catch((err: unknown) => {
  console.error(`deploy failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
