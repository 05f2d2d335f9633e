/**
 * A PostgreSQL server of its own for the demo, the benchmarks and the tests: Debian's packages
 * (installed with apt when missing), a fresh data directory, a free port on 127.0.0.1. TCP
 * connections need a generated password (scram-sha-256), kept in a 0600 file; without it only the
 * Unix socket answers, and that lives in the data directory (0700, its owner alone). Run as root,
 * the server runs as the `postgres` user (PostgreSQL refuses to run as root), and a data directory
 * that user cannot reach (below a private folder, e.g. a 0700 home) is kept under
 * /var/lib/paychan-postgres instead.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { getFreePort } from "./anvil";

export interface PostgresServer {
  port: number;
  /** The data directory in use (under {@link ROOT_DATA_BASE} when the one asked for was out of
   * the `postgres` user's reach). */
  dir: string;
  /** The 0600 file holding the superuser's password. */
  passwordFile: string;
  /** The connection URL of database `name` (default `postgres`), password included: pass it in
   * the environment, never on a command line. */
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
  /** Where the superuser's password is kept (default: `paychan-password` in the data
   * directory); generated on first start, mode 0600. */
  passwordFile?: string;
  /** Progress lines (default: console.log). */
  log?: (line: string) => void;
}

const isRoot = () => process.getuid?.() === 0;

/** Where root keeps data directories the `postgres` user could not reach where they were asked. */
export const ROOT_DATA_BASE = "/var/lib/paychan-postgres";

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

/** The `postgres` user's uid and gid. */
function postgresIds(): { uid: number; gid: number } {
  const uid = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function check(res: SpawnSyncReturns<string>, what: string): void {
  if (res.status !== 0)
    throw new Error(`${what} failed (exit ${res.status}):\n${res.stdout ?? ""}${res.stderr ?? ""}`);
}

/** Whether the `postgres` user can enter `dir` (and every folder above it). */
function postgresCanEnter(dir: string): boolean {
  return runAsPostgres("test", ["-x", dir]).status === 0;
}

/**
 * The data directory to use for `requested` (undefined: a new temporary one). As root, a place
 * below a folder the `postgres` user cannot enter is swapped for one under {@link ROOT_DATA_BASE},
 * named by a hash of the requested path, so the same request finds the same data again.
 */
export function resolveDataDir(requested: string | undefined): {
  dir: string;
  moved: boolean;
} {
  const parent = requested ? path.dirname(path.resolve(requested)) : os.tmpdir();
  mkdirSync(parent, { recursive: true });
  if (!isRoot() || postgresCanEnter(parent)) {
    if (!requested) return { dir: mkdtempSync(path.join(parent, "paychan-pg-")), moved: false };
    mkdirSync(requested, { recursive: true });
    return { dir: path.resolve(requested), moved: false };
  }
  mkdirSync(ROOT_DATA_BASE, { recursive: true, mode: 0o755 });
  chmodSync(ROOT_DATA_BASE, 0o755);
  if (!requested) return { dir: mkdtempSync(path.join(ROOT_DATA_BASE, "tmp-")), moved: true };
  const key = createHash("sha256").update(path.resolve(requested)).digest("hex").slice(0, 16);
  const dir = path.join(ROOT_DATA_BASE, key);
  mkdirSync(dir, { recursive: true });
  return { dir, moved: true };
}

/** The password in `file`, or a new one written there (0600). */
function filePassword(file: string): string {
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const found = readFileSync(file, "utf8").trim();
    if (/^[0-9a-f]{32,}$/.test(found)) return found;
  }
  const password = randomBytes(24).toString("hex");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return password;
}

/** Client authentication: the socket (in the 0700 data directory) as is, TCP with the password. */
const HBA = `# Written by scripts/lib/postgres.ts on every start.
# The Unix socket is in the data directory (mode 0700): only its owner, and root, reach it.
local   all   all                   trust
# TCP needs the password (scram-sha-256).
host    all   all   127.0.0.1/32    scram-sha-256
host    all   all   ::1/128         scram-sha-256
`;

/** Starts a PostgreSQL server; resolves once it accepts connections. */
export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const log = opts.log ?? console.log;
  const bin = ensurePostgresInstalled(log);
  const temporary = !opts.dir;
  const { dir, moved } = resolveDataDir(opts.dir);
  if (moved && opts.dir)
    log(
      `the postgres user cannot enter ${path.dirname(path.resolve(opts.dir))} (a private ` +
        `folder above it): keeping the data in ${dir}`,
    );
  const port = opts.port ?? (await getFreePort());
  const owner = isRoot() ? postgresIds() : undefined;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  chmodSync(dir, 0o700);
  if (!existsSync(path.join(dir, "PG_VERSION"))) {
    check(
      runAsPostgres(path.join(bin, "initdb"), [
        "-D",
        dir,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=scram-sha-256",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
      ]),
      "initdb",
    );
  }
  const hba = path.join(dir, "pg_hba.conf");
  writeFileSync(hba, HBA, { mode: 0o600 });
  if (owner) chownSync(hba, owner.uid, owner.gid);
  const passwordFile = opts.passwordFile ?? path.join(dir, "paychan-password");
  const password = filePassword(passwordFile);
  const settings = [
    `-p ${port}`,
    `-k ${dir}`,
    "-c listen_addresses=127.0.0.1",
    "-c max_connections=200",
    "-c unix_socket_permissions=0700",
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
  // The password is set over the socket on every start: a data directory made before passwords
  // (trust for every local user) gets one too.
  const socket = new pg.Client({ host: dir, port, user: "postgres", database: "postgres" });
  try {
    await socket.connect();
    await socket.query("SET password_encryption = 'scram-sha-256'");
    await socket.query(`ALTER ROLE postgres PASSWORD '${password}'`);
  } catch (err) {
    runAsPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-m", "fast", "-w", "stop"]);
    throw new Error(`setting the password over ${dir}'s socket failed`, { cause: err });
  } finally {
    await socket.end().catch(() => undefined);
  }
  const url = (name = "postgres") => `postgresql://postgres:${password}@127.0.0.1:${port}/${name}`;
  let stopped = false;
  return {
    port,
    dir,
    passwordFile,
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
