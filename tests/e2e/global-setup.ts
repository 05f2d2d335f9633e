/**
 * Starts the real site for browser tests: anvil (automine), contracts deployed, SQLite migrated and
 * seeded, and the production build served by `next start` with the indexer running. Requires
 * `next build` to have run. Returns the teardown.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startAnvil } from "../../scripts/lib/anvil";
import { ANVIL_KEY_0, prepareSite } from "../../scripts/lib/prepare-site";
import { waitFor } from "../../scripts/lib/rpc";

const root = path.resolve(__dirname, "../..");

export default async function globalSetup(): Promise<() => Promise<void>> {
  const port = Number(process.env.E2E_PORT ?? 3100);
  const anvil = await startAnvil();
  const dir = mkdtempSync(path.join(os.tmpdir(), "site-e2e-"));
  const databaseUrl = `file:${path.join(dir, "site.db")}`;
  const deploymentFile = path.join(dir, "deployment.json");
  const { deployment } = await prepareSite({ rpcUrl: anvil.rpcUrl, databaseUrl, deploymentFile });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    DATABASE_URL: databaseUrl,
    RPC_URL: anvil.rpcUrl,
    DEPLOYMENT_FILE: deploymentFile,
    RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
    SESSION_SECRET: "e2e-session-secret-0123456789abcdef0123",
    API_TOKEN: "e2e-api-token-0123456789",
    CONFIRMATIONS: "0",
    SYNC_INTERVAL_MS: "300",
    SITE_URL: `http://127.0.0.1:${port}`,
  };
  const server = spawn(
    path.join(root, "node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  server.stdout.on("data", (d: Buffer) => (output += d.toString()));
  server.stderr.on("data", (d: Buffer) => (output += d.toString()));
  try {
    await waitFor(
      `next start on port ${port}`,
      async () => {
        if (server.exitCode !== null)
          throw new Error(`next start exited (${server.exitCode}):\n${output}`);
        try {
          return (await fetch(`http://127.0.0.1:${port}/`)).ok;
        } catch {
          return false;
        }
      },
      60_000,
    );
  } catch (err) {
    server.kill("SIGKILL");
    await anvil.stop();
    throw err;
  }
  // The tests read the chain and deployment from here.
  writeFileSync(
    path.join(root, "test-results-e2e.json"),
    JSON.stringify({ rpcUrl: anvil.rpcUrl, deployment, databaseUrl }),
  );
  process.env.E2E_STATE = path.join(root, "test-results-e2e.json");
  return async () => {
    server.kill("SIGTERM");
    await anvil.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(path.join(root, "test-results-e2e.json"), { force: true });
  };
}
