/**
 * Three `next start` instances on one PostgreSQL database behind nginx, launched by
 * scripts/lib/cluster.ts: requests through nginx reach every instance (nginx's access log names
 * the instance that answered), an unpaid article answers 402 through nginx, a killed instance is
 * skipped, and stop() leaves no process behind. Needs a production build (NEXT_DIST_DIR).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAnvil, type AnvilProcess } from "../../../scripts/lib/anvil";
import { startCluster, type Cluster } from "../../../scripts/lib/cluster";
import { ensureNginxInstalled } from "../../../scripts/lib/nginx";
import {
  ensurePostgresInstalled,
  startPostgres,
  type PostgresServer,
} from "../../../scripts/lib/postgres";
import { ANVIL_KEY_0, prepareSite } from "../../../scripts/lib/prepare-site";
import { assertBuildExists } from "../../helpers/site-server";

/** Why the suite cannot run here (PostgreSQL or nginx cannot be installed), or undefined. */
function missingServers(): string | undefined {
  try {
    ensurePostgresInstalled(() => {});
    ensureNginxInstalled(() => {});
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

const missing = missingServers();
if (missing) console.warn(`cluster-launch: skipped: PostgreSQL or nginx unavailable: ${missing}`);

/** The upstream of each proxied request in nginx's access log, oldest first. */
function upstreamsLogged(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => /upstream=(\S+?),? /.exec(line)?.[1])
    .filter((u): u is string => u !== undefined && u !== "-");
}

/** Whether any process of process group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  const ps = spawnSync("ps", ["-eo", "pgid=,stat="], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((l) => l.trim().split(/\s+/))
    .some(([g, stat]) => Number(g) === pgid && !stat?.startsWith("Z"));
}

describe.skipIf(missing !== undefined)("several instances behind nginx", () => {
  let pg: PostgresServer | undefined;
  let anvil: AnvilProcess | undefined;
  let cluster: Cluster | undefined;
  let dir: string;

  beforeAll(async () => {
    assertBuildExists();
    dir = mkdtempSync(path.join(os.tmpdir(), "site-cluster-"));
    pg = await startPostgres({ fast: true, log: () => {} });
    const databaseUrl = await pg.createDatabase("paychan_cluster");
    anvil = await startAnvil({ blockTime: 1 });
    const deploymentFile = path.join(dir, "deployment.json");
    await prepareSite({ rpcUrl: anvil.rpcUrl, databaseUrl, deploymentFile });
    cluster = await startCluster({
      count: 3,
      env: {
        DATABASE_URL: databaseUrl,
        RPC_URL: anvil.rpcUrl,
        DEPLOYMENT_FILE: deploymentFile,
        RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
        SESSION_SECRET: "cluster-session-secret-0123456789abcdef0123",
        API_TOKEN: "cluster-api-token-0123456789",
        CONFIRMATIONS: "1",
        SYNC_INTERVAL_MS: "300",
      },
      log: () => {},
    });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    await anvil?.stop();
    pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("spreads requests through nginx over every instance", async () => {
    const c = cluster!;
    const before = upstreamsLogged(c.nginx.accessLog).length;
    const statuses = await Promise.all(
      Array.from({ length: 30 }, async () => {
        const res = await fetch(`${c.url}/`);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    expect(statuses).toEqual(Array(30).fill(200));
    const answered = new Set(upstreamsLogged(c.nginx.accessLog).slice(before));
    expect([...answered].sort()).toEqual(c.instances.map((i) => `127.0.0.1:${i.port}`).sort());
  });

  it("answers 402 with payment terms for an unpaid article through nginx", async () => {
    const res = await fetch(`${cluster!.url}/articles/the-402-status-code`, {
      headers: { accept: "text/html" },
    });
    await res.arrayBuffer();
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Price")).toMatch(/^\d+$/);
    expect(res.headers.get("RDN-Receiver-Address")).toMatch(/^0x[0-9a-fA-F]{40}$/);
  });

  it("skips a killed instance and serves it again after a restart", async () => {
    const c = cluster!;
    const victim = c.instances[0]!;
    await victim.kill("SIGKILL");
    for (let i = 0; i < 9; i++) {
      const res = await fetch(`${c.url}/`);
      await res.arrayBuffer();
      expect(res.status).toBe(200);
    }
    await victim.restart();
    expect((await fetch(`${victim.url}/`)).status).toBe(200);
  }, 120_000);

  it("stop() leaves no process of nginx or the instances", async () => {
    const c = cluster!;
    const groups = [c.nginx.pid, ...c.instances.map((i) => i.pid)];
    expect(groups.every(groupAlive)).toBe(true);
    await c.stop();
    cluster = undefined;
    expect(groups.filter(groupAlive)).toEqual([]);
  }, 60_000);
});
