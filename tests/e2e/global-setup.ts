/**
 * Starts the real site for browser tests: anvil (automine), contracts deployed, SQLite migrated and
 * seeded, and the production build (NEXT_DIST_DIR, default `.next`) served by `next start` with the
 * indexer running. Requires `next build` to have run. Returns the teardown.
 *
 * The server gets a free port, or E2E_PORT when set (refused at once when it is taken). The URL
 * and a state file reach the tests through E2E_BASE_URL and E2E_STATE: Playwright starts its
 * workers after global setup with this process's environment.
 *
 * The site runs on the demo's DemoDollar (EIP-3009: it offers its relay). anvil has 15 accounts:
 * accounts 10, 11 and 12 are the ones the no-ETH tests set to 0 ETH, 13 and 14 read many articles.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAnvil } from "../../scripts/lib/anvil";
import { ANVIL_KEY_0, prepareSite } from "../../scripts/lib/prepare-site";
import type { Deployment } from "../../lib/chain/deployment";
import {
  assertPortFree,
  explicitPort,
  startNextServer,
  type NextServer,
} from "../helpers/next-server";

export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = explicitPort("E2E_PORT");
  // Checked before anything slow starts: a taken port fails the run at once.
  if (port !== undefined) await assertPortFree(port, "E2E_PORT");
  const anvil = await startAnvil({ args: ["--accounts", "15"] });
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-e2e-"));
  const cleanup = async () => {
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const databaseUrl = `file:${path.join(dir, "site.db")}`;
  const deploymentFile = path.join(dir, "deployment.json");
  let deployment: Deployment;
  let server: NextServer;
  try {
    ({ deployment } = await prepareSite({ rpcUrl: anvil.rpcUrl, databaseUrl, deploymentFile }));
    server = await startNextServer({
      port,
      portName: "E2E_PORT",
      env: {
        DATABASE_URL: databaseUrl,
        RPC_URL: anvil.rpcUrl,
        DEPLOYMENT_FILE: deploymentFile,
        RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
        SESSION_SECRET: "e2e-session-secret-0123456789abcdef0123",
        API_TOKEN: "e2e-api-token-0123456789",
        CONFIRMATIONS: "0",
        SYNC_INTERVAL_MS: "300",
        // Images uploaded by the admin tests stay out of the checkout.
        MEDIA_UPLOAD_DIR: path.join(dir, "media"),
      },
    });
  } catch (err) {
    await cleanup();
    throw err;
  }
  // The tests read the chain and deployment from here.
  const stateFile = path.join(dir, "state.json");
  writeFileSync(stateFile, JSON.stringify({ rpcUrl: anvil.rpcUrl, deployment, databaseUrl }));
  process.env.E2E_STATE = stateFile;
  process.env.E2E_BASE_URL = server.url;
  return async () => {
    await server.stop();
    await cleanup();
  };
}
