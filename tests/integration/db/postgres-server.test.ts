/**
 * The PostgreSQL server of the demo, the benchmarks and the tests (scripts/lib/postgres.ts): TCP
 * connections need its generated password (kept in a 0600 file), and, run as root, it starts from
 * a data directory below a private (0700) folder that the `postgres` user cannot enter.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT_DATA_BASE, startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";

const isRoot = process.getuid?.() === 0;

/** Connects to `url` and runs one query; rejects with the server's (or client's) refusal. */
async function connect(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe("a started server", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres({ fast: true, log: () => undefined });
  });
  afterAll(() => server?.stop());

  it("refuses TCP connections without the password, or with another one", async () => {
    const bare = `postgresql://postgres@127.0.0.1:${server.port}/postgres`;
    await expect(connect(bare)).rejects.toThrow();
    await expect(
      connect(`postgresql://postgres:not-the-password@127.0.0.1:${server.port}/postgres`),
    ).rejects.toThrow(/password authentication failed/);
    // Another local user's program knows the port and the user name, not the password.
    await expect(
      connect(`postgresql://nobody@127.0.0.1:${server.port}/postgres`),
    ).rejects.toThrow();
    await connect(server.url());
  });

  it("keeps the password in a 0600 file, and the socket in the 0700 data directory", () => {
    expect(statSync(server.passwordFile).mode & 0o777).toBe(0o600);
    const password = readFileSync(server.passwordFile, "utf8").trim();
    expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(server.url()).toContain(`:${password}@`);
    expect(statSync(server.dir).mode & 0o777).toBe(0o700);
    expect(existsSync(path.join(server.dir, `.s.PGSQL.${server.port}`))).toBe(true);
    const hba = readFileSync(path.join(server.dir, "pg_hba.conf"), "utf8");
    const host = hba.split("\n").filter((l) => l.startsWith("host"));
    expect(host.length).toBeGreaterThan(0);
    for (const line of host) expect(line).toMatch(/scram-sha-256$/);
  });
});

// Run as root (the demo as root in a home directory): initdb runs as `postgres`, which cannot
// enter a 0700 folder of root's. Not root, the server runs as this user and the question does
// not arise.
describe.skipIf(!isRoot)("as root, from a private 0700 folder (skipped: not run as root)", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "private-clone-"));
  const requested = path.join(root, "clone", "data", "postgres");
  const moved: string[] = [];
  afterAll(() => {
    for (const dir of moved) if (dir.startsWith(ROOT_DATA_BASE)) rmSync(dir, { recursive: true });
    rmSync(root, { recursive: true, force: true });
  });

  it("starts, keeps the data where `postgres` can reach it, and finds it again", async () => {
    expect(statSync(root).mode & 0o777).toBe(0o700);
    mkdirSync(requested, { recursive: true }); // as the demo did
    const passwordFile = path.join(root, "clone", "data", "postgres-password");
    const first = await startPostgres({ dir: requested, passwordFile, fast: true, log: () => {} });
    moved.push(first.dir);
    try {
      expect(first.dir.startsWith(`${ROOT_DATA_BASE}/`)).toBe(true);
      await first.createDatabase("kept");
    } finally {
      first.stop();
    }
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    const again = await startPostgres({ dir: requested, passwordFile, fast: true, log: () => {} });
    try {
      expect(again.dir).toBe(first.dir);
      await connect(again.url("kept"));
    } finally {
      again.stop();
    }
  });
});
