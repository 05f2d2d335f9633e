/**
 * A PostgreSQL server of its own for the demo, the benchmarks and the tests: Debian's packages
 * (installed with apt when missing), a fresh data directory, a free port on 127.0.0.1, trust
 * authentication for local connections only. Run as root, the server runs as the `postgres` user
 * (PostgreSQL refuses to run as root).
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, chownSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { getFreePort } from "./anvil";

export interface PostgresServer {
  port: number;
  dir: string;
  /** The connection URL of database `name` (default `postgres`). */
  url(name?: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes its data directory unless `keep` was set. */
  stop(): void;
}

export interface PostgresOptions {
  /** Data directory (default: a new temporary one, removed on stop). */
  dir?: string;
  port?: number;
  /** Trade durability for speed (fsync off): tests and benchmarks of code, never real data. */
  fast?: boolean;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** The directory of the newest installed PostgreSQL's programs, or undefined. */
export function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "pg_ctl")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : undefined;
}

/** Installs Debian's PostgreSQL with apt when it is missing; returns its programs' directory. */
export function ensurePostgresInstalled(log: (line: string) => void = console.log): string {
  const found = postgresBinDir();
  if (found) return found;
  log("PostgreSQL is not installed: installing Debian's package with apt…");
  const sudo = isRoot() ? [] : ["sudo"];
  const run = (args: string[]) => {
    const res = spawnSync(sudo[0] ?? args[0]!, sudo.length ? args : args.slice(1), {
      stdio: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (res.status !== 0) throw new Error(`${args.join(" ")} failed (exit ${res.status})`);
  };
  run(["apt-get", "update", "-qq"]);
  run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"]);
  const dir = postgresBinDir();
  if (!dir)
    throw new Error("PostgreSQL was installed but pg_ctl was not found under /usr/lib/postgresql");
  return dir;
}

/** Runs a PostgreSQL program, as the `postgres` user when this process is root. */
function runAsPostgres(bin: string, args: string[]): SpawnSyncReturns<string> {
  if (isRoot()) {
    const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    return spawnSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { encoding: "utf8" });
  }
  return spawnSync(bin, args, { encoding: "utf8" });
}

function check(res: SpawnSyncReturns<string>, what: string): void {
  if (res.status !== 0)
    throw new Error(`${what} failed (exit ${res.status}):\n${res.stdout ?? ""}${res.stderr ?? ""}`);
}

/** Starts a PostgreSQL server; resolves once it accepts connections. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const log = opts.log ?? console.log;
  const bin = ensurePostgresInstalled(log);
  const temporary = !opts.dir;
  const dir = opts.dir ?? mkdtempSync(path.join(os.tmpdir(), "paychan-pg-"));
  const port = opts.port ?? (await getFreePort());
  if (isRoot()) {
    const pwd = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    chownSync(dir, Number(pwd.stdout.trim()), Number(gid.stdout.trim()));
  }
  chmodSync(dir, 0o700);
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    check(
      runAsPostgres(path.join(bin, "initdb"), [
        "-D",
        dir,
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
      ]),
      "initdb",
    );
  }
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    ...(opts.fast ? ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"] : []),
  ].join(" ");
  check(
    runAsPostgres(path.join(bin, "pg_ctl"), [
      "-D",
      dir,
      "-o",
      settings,
      "-l",
      path.join(dir, "server.log"),
      "-w",
      "-t",
      "60",
      "start",
    ]),
    "pg_ctl start",
  );
  const url = (name = "postgres") => `postgresql://postgres@127.0.0.1:${port}/${name}`;
  let stopped = false;
  return {
    port,
    dir,
    url,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name: ${name}`);
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop(): void {
      if (stopped) return;
      stopped = true;
      runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-m", "fast", "-w", "stop"]);
      if (temporary) rmSync(dir, { recursive: true, force: true });
    },
  };
}
