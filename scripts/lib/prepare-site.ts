import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createPublicClient, erc20Abi, http, type Hex } from "viem";
import { ANVIL_KEYS } from "./anvil-keys";
import { checkDeployment } from "../../lib/chain/check-deployment";
import { deployContracts, type DemoTokenName } from "../../lib/chain/deploy";
import { readDeployment, writeDeployment, type Deployment } from "../../lib/chain/deployment";

const root = path.resolve(__dirname, "../..");

/** The first anvil development account: deployer and receiver of the demo (a public key). */
export const ANVIL_KEY_0: Hex = ANVIL_KEYS[0]!;

function run(what: string, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const res = spawnSync(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
  if (res.status !== 0) {
    const out = `${res.stdout?.toString() ?? ""}${res.stderr?.toString() ?? ""}`.trim();
    throw new Error(`${what} failed (exit ${res.status}):\n${out}`);
  }
}

export interface PrepareOptions {
  rpcUrl: string;
  databaseUrl: string;
  deploymentFile: string;
  deployerKey?: Hex;
  /** The demo token a new deployment creates (default DemoDollar, 6 decimals). */
  demoToken?: DemoTokenName;
  log?: (line: string) => void;
}

/**
 * Makes a site ready to serve on a chain: contracts compiled, a deployment that matches the chain
 * (redeployed when the chain was reset or the code is gone), the database migrated and seeded.
 * Returns the deployment, whether it is new, and the token's symbol and decimals (read from the
 * chain; the seed prices in cents scaled by those decimals).
 */
export async function prepareSite(opts: PrepareOptions): Promise<{
  deployment: Deployment;
  redeployed: boolean;
  token: { symbol: string; decimals: number };
}> {
  const log = opts.log ?? (() => {});
  const env = { ...process.env, DATABASE_URL: opts.databaseUrl };

  if (
    !existsSync(
      path.join(root, "contracts/out/MicroTransferChannels.sol/MicroTransferChannels.json"),
    )
  ) {
    log("compiling contracts (first run, about a minute)…");
    run("contract build", process.execPath, ["scripts/forge.mjs", "build"], env);
  }

  const client = createPublicClient({ transport: http(opts.rpcUrl, { retryCount: 1 }) });
  let deployment = readDeployment(opts.deploymentFile);
  let redeployed = false;
  const check = deployment ? await checkDeployment(client, deployment) : undefined;
  if (!deployment || !check?.ok) {
    log(
      deployment && check && !check.ok
        ? `recorded deployment is stale: ${check.message}; redeploying`
        : "no deployment recorded; deploying contracts",
    );
    deployment = await deployContracts({
      rpcUrl: opts.rpcUrl,
      privateKey: opts.deployerKey ?? ANVIL_KEY_0,
      demoToken: opts.demoToken,
      root,
      log: (l) => log(`  ${l}`),
    });
    writeDeployment(opts.deploymentFile, deployment);
    redeployed = true;
  } else {
    log(`contracts already deployed: channels ${deployment.contract}, token ${deployment.token}`);
  }

  log("migrating database…");
  run("database migration", process.execPath, ["scripts/prisma.mjs", "migrate", "deploy"], env);
  if (redeployed) {
    // The old deployment's channels are gone with the reset chain, but their proofs are still the
    // receiver's record: back them up and archive them instead of serving or deleting them.
    const switched = spawnSync(
      path.join(root, "node_modules/.bin/tsx"),
      [
        "scripts/switch-deployment.ts",
        "--backup-dir",
        path.join(path.dirname(opts.deploymentFile), "backups"),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], env },
    );
    if (switched.status !== 0)
      throw new Error(
        `archiving the previous deployment's proofs failed:\n${switched.stderr?.toString()}`,
      );
    log(`  ${switched.stdout.toString().trim().split("\n").join("\n  ")}`);
  }
  const token = deployment.token;
  const [decimals, symbol] = await Promise.all([
    client.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }),
    client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }),
  ]).catch((cause: unknown) => {
    throw new Error(`the token ${token} does not answer decimals() and symbol()`, { cause });
  });
  run("database seed", path.join(root, "node_modules/.bin/tsx"), ["prisma/seed.ts"], {
    ...env,
    SEED_TOKEN_DECIMALS: String(decimals),
  });
  return { deployment, redeployed, token: { symbol, decimals } };
}
