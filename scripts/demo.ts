/**
 * `npm run demo`: the whole site on the embedded default.
 *
 * Starts anvil on 127.0.0.1:8545 (or reuses a chain already there), deploys the contracts when
 * the recorded deployment is missing or stale, migrates and seeds SQLite, then serves the site on
 * http://127.0.0.1:3000. Ctrl-C stops everything it started. State lives in ./data.
 *
 * `--db postgres` runs Debian's PostgreSQL instead (data in ./data/postgres, port 5432 unless it
 * is taken, its password in ./data/postgres-password; as root, under /var/lib/paychan-postgres
 * when the `postgres` user cannot reach ./data); `--instances <n>` serves n production instances
 * on that database behind nginx.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Command } from "commander";
import pg from "pg";
import { getFreePort, startAnvil, type AnvilProcess } from "./lib/anvil";
import { startCluster, type Cluster } from "./lib/cluster";
import { assertPortFree } from "./lib/nginx";
import { startPostgres, type PostgresServer } from "./lib/postgres";
import { ANVIL_KEY_0, prepareSite } from "./lib/prepare-site";
import { probeChainId, waitFor } from "./lib/rpc";

const root = path.resolve(__dirname, "..");

const program = new Command()
  .name("demo")
  .description("Run the whole site on a local chain")
  .option("--anvil-port <port>", "port of the local chain", process.env.ANVIL_PORT ?? "8545")
  .option("--port <port>", "port of the site", process.env.PORT ?? "3000")
  .option("--data-dir <dir>", "where chain state, database and secrets live", "data")
  .option("--prod", "serve a production build (next build + next start) instead of next dev")
  .option("--block-time <seconds>", "seconds between local blocks", "1")
  .option("--db <kind>", "database: sqlite (a file) or postgres (Debian's PostgreSQL)", "sqlite")
  .option("--instances <n>", "production instances behind nginx (more than 1 needs postgres)", "1");

/** A path as the user reads it: relative inside the project, absolute outside. */
const shown = (p: string) => (p.startsWith(root + path.sep) ? path.relative(root, p) : p);

/**
 * Starts the demo's PostgreSQL (data kept in `dir`, its password in `passwordFile`) and returns it
 * with the site's database URL.
 */
async function demoPostgres(
  dir: string,
  passwordFile: string,
  log: (line: string) => void,
): Promise<{ server: PostgresServer; databaseUrl: string }> {
  const port = await assertPortFree(5432).then(
    () => 5432,
    () => getFreePort(),
  );
  log(`starting PostgreSQL on 127.0.0.1:${port} (data in ${shown(dir)})…`);
  const server = await startPostgres({ dir, port, passwordFile, log });
  const client = new pg.Client({ connectionString: server.url() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = 'paychan'");
    if (found.rowCount === 0) {
      log("creating database paychan…");
      await client.query('CREATE DATABASE "paychan"');
    }
  } finally {
    await client.end();
  }
  return { server, databaseUrl: server.url("paychan") };
}

/** A secret kept in a 0600 file of the data directory, created on first use. */
function fileSecret(file: string, bytes: number): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(bytes).toString("hex");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    anvilPort: string;
    port: string;
    dataDir: string;
    prod?: boolean;
    blockTime: string;
    db: string;
    instances: string;
  }>();
  const instances = Number(o.instances);
  if (o.db !== "sqlite" && o.db !== "postgres") {
    console.error(`[demo] --db must be sqlite or postgres, got "${o.db}"`);
    process.exit(1);
  }
  if (!Number.isInteger(instances) || instances < 1) {
    console.error(`[demo] --instances must be a whole number of at least 1, got "${o.instances}"`);
    process.exit(1);
  }
  if (instances > 1 && o.db !== "postgres") {
    console.error(
      `[demo] --instances ${instances} needs --db postgres: every instance must share one ` +
        "database, and SQLite is a file of one machine. Run: npm run demo -- --db postgres " +
        `--instances ${instances}`,
    );
    process.exit(1);
  }
  // Several instances serve the production build.
  const prod = o.prod === true || instances > 1;
  const dataDir = path.resolve(root, o.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const log = (line: string) => console.log(`[demo] ${line}`);
  const rpcUrl = `http://127.0.0.1:${o.anvilPort}`;
  const children: ChildProcess[] = [];
  let anvil: AnvilProcess | undefined;
  let postgres: PostgresServer | undefined;
  let cluster: Cluster | undefined;
  let stopping = false;

  async function shutdown(code: number): Promise<never> {
    if (!stopping) {
      stopping = true;
      log("stopping…");
      for (const c of children)
        if (c.exitCode === null && c.pid) {
          try {
            process.kill(-c.pid, "SIGTERM");
          } catch {
            c.kill("SIGTERM");
          }
        }
      if (cluster) {
        await cluster.stop();
        log("nginx and the instances stopped");
      }
      if (anvil) {
        await anvil.stop();
        log("local chain stopped (state saved)");
      }
      if (postgres) {
        postgres.stop();
        log("PostgreSQL stopped (data kept)");
      }
    }
    process.exit(code);
  }
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  try {
    const existing = await probeChainId(rpcUrl);
    if (existing !== undefined) {
      log(`using the chain already running at ${rpcUrl} (chain id ${existing})`);
    } else {
      log(
        `starting anvil on ${rpcUrl} (state in ${shown(path.join(dataDir, "anvil-state.json"))})…`,
      );
      anvil = await startAnvil({
        port: Number(o.anvilPort),
        blockTime: Number(o.blockTime),
        stateFile: path.join(dataDir, "anvil-state.json"),
      });
    }

    let databaseUrl = `file:${path.join(dataDir, "site.db")}`;
    if (o.db === "postgres") {
      if (instances > 1) await assertPortFree(Number(o.port));
      const started = await demoPostgres(
        path.join(dataDir, "postgres"),
        path.join(dataDir, "postgres-password"),
        log,
      );
      postgres = started.server;
      databaseUrl = started.databaseUrl;
    }
    const deploymentFile = path.join(dataDir, "deployment.json");
    const { deployment, token } = await prepareSite({ rpcUrl, databaseUrl, deploymentFile, log });

    const siteUrl = `http://127.0.0.1:${o.port}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: databaseUrl,
      RPC_URL: rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      RECEIVER_PRIVATE_KEY: process.env.RECEIVER_PRIVATE_KEY ?? ANVIL_KEY_0,
      SESSION_SECRET:
        process.env.SESSION_SECRET ?? fileSecret(path.join(dataDir, "session-secret"), 32),
      API_TOKEN: process.env.API_TOKEN ?? fileSecret(path.join(dataDir, "api-token"), 24),
      CONFIRMATIONS: process.env.CONFIRMATIONS ?? "1",
      SYNC_INTERVAL_MS: process.env.SYNC_INTERVAL_MS ?? "1000",
      SITE_URL: siteUrl,
      // The same site opened as localhost may sign in too (development only).
      SIWE_ALLOWED_DOMAINS: process.env.SIWE_ALLOWED_DOMAINS ?? `localhost:${o.port}`,
    };
    const next = path.join(root, "node_modules/.bin/next");
    if (prod) {
      log("building the site (next build)…");
      await new Promise<void>((resolve, reject) => {
        const b = spawn(next, ["build"], { cwd: root, env, stdio: "inherit" });
        b.once("exit", (c) => (c === 0 ? resolve() : reject(new Error(`next build exited ${c}`))));
      });
    }
    if (instances > 1) {
      cluster = await startCluster({
        count: instances,
        env,
        nginxPort: Number(o.port),
        out: (line) => console.log(line),
        log,
      });
    } else {
      const server = spawn(next, [prod ? "start" : "dev", "-H", "127.0.0.1", "-p", o.port], {
        cwd: root,
        env,
        stdio: "inherit",
        detached: true,
      });
      children.push(server);
      server.once("exit", (c) => {
        if (!stopping) {
          log(`the site exited (${c}); stopping`);
          void shutdown(c ?? 1);
        }
      });
    }
    await waitFor(
      `the site on ${siteUrl}`,
      async () => {
        try {
          return (await fetch(siteUrl, { signal: AbortSignal.timeout(60_000) })).ok;
        } catch {
          return false;
        }
      },
      300_000,
      500,
    );
    console.log(`
  Site           ${siteUrl}
  Chain          ${rpcUrl} (chain id ${deployment.chainId})
  Channels       ${deployment.contract}
  Token          ${deployment.token} (${token.symbol}, ${token.decimals} decimals)${
    postgres
      ? `\n  Database       PostgreSQL ${postgres.url("paychan").replace(/:[^:@/]*@/, ":…@")} (password in ${shown(postgres.passwordFile)}, data in ${shown(postgres.dir)})`
      : ""
  }${
    cluster
      ? `\n  Instances      ${cluster.instances.map((i) => i.url).join(", ")} behind nginx (config ${path.join(cluster.nginx.dir, "nginx.conf")})`
      : ""
  }
  Receiver       anvil account 0 (0xf39F…2266): sign in at ${siteUrl}/admin with it
  Readers        anvil accounts 1–9: import one into your wallet; mint() gives 50 ${token.symbol} per 0.1 ETH

  Press Ctrl-C to stop.
`);
  } catch (err) {
    console.error(`[demo] ${err instanceof Error ? err.message : String(err)}`);
    await shutdown(1);
  }
}

void main();
