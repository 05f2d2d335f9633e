/**
 * Crash safety of payments on the production server: 16 channels pay concurrently (each one in
 * balance order), the server is killed with SIGKILL mid-load, restarted on the same SQLite file,
 * and every payment answered 200 must be in the database exactly once, with payments resuming from
 * the balance the server last accepted. Runs its own anvil, database and `next start` (the build in
 * NEXT_DIST_DIR) on a free port, independent of the shared site of the other browser tests.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { expect, test } from "@playwright/test";
import type { Address, PrivateKeyAccount } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { Deployment } from "@/lib/chain/deployment";
import { channelDomain } from "@/lib/protocol/eip712";
import { signBalanceProof } from "@/lib/protocol/proofs";
import { startAnvil, type AnvilProcess } from "../../scripts/lib/anvil";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import { prepareSite } from "../../scripts/lib/prepare-site";
import { fundAndOpenChannels } from "../helpers/e2e-channels";
import { startNextServer, type NextServer } from "../helpers/next-server";

/** Anvil accounts 1–8. */
const READER_KEYS = ANVIL_KEYS.slice(1, 9);
/** One whole token: the site runs on DemoDollar (6 decimals). */
const TOKEN = 10n ** 6n;
/** Price of the fixed-price echo route. */
const PRICE = 5n;
const API_TOKEN = "crash-api-token-0123456789";
/** Successful payments (over all channels) after which the server is killed. */
const KILL_AFTER = 160;

interface Channel {
  reader: PrivateKeyAccount;
  openBlock: number;
  /** Balance of the last payment answered 200. */
  lastOk: bigint;
  /** Highest balance sent (the one in flight when the server died, if any). */
  lastSent: bigint;
}

let anvil: AnvilProcess | undefined;
let server: NextServer | undefined;
let dir: string | undefined;

test.afterAll(async () => {
  await server?.kill();
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("payments answered 200 survive a SIGKILL mid-load, none counted twice, and resume", async () => {
  test.setTimeout(240_000);
  anvil = await startAnvil();
  dir = mkdtempSync(path.join(os.tmpdir(), "site-crash-"));
  const dbFile = path.join(dir, "site.db");
  const deploymentFile = path.join(dir, "deployment.json");
  const { deployment } = await prepareSite({
    rpcUrl: anvil.rpcUrl,
    databaseUrl: `file:${dbFile}`,
    deploymentFile,
  });
  const serverEnv = {
    DATABASE_URL: `file:${dbFile}`,
    RPC_URL: anvil.rpcUrl,
    DEPLOYMENT_FILE: deploymentFile,
    RECEIVER_PRIVATE_KEY: ANVIL_KEYS[0]!,
    SESSION_SECRET: "crash-session-secret-0123456789abcdef0123",
    API_TOKEN,
    CONFIRMATIONS: "0",
    INDEXER_ENABLED: "true",
    SYNC_INTERVAL_MS: "300",
  };
  server = await startNextServer({ env: serverEnv });

  const receiver = privateKeyToAccount(ANVIL_KEYS[0]!).address;
  const channels = await openChannels(anvil.rpcUrl, deployment, receiver);
  const sign = (c: Channel, balance: bigint) =>
    signBalanceProof({
      account: c.reader,
      domain: channelDomain({ chainId: deployment.chainId, contract: deployment.contract }),
      message: { sender: c.reader.address, receiver, openBlockNumber: c.openBlock, balance },
    });
  const pay = async (url: string, c: Channel, balance: bigint, resource: string) =>
    fetch(`${url}/api/echo/fix/${resource}`, {
      headers: {
        "RDN-Sender-Address": c.reader.address,
        "RDN-Open-Block": String(c.openBlock),
        "RDN-Sender-Balance": balance.toString(),
        "RDN-Balance-Signature": await sign(c, balance),
      },
    });

  // The background indexer makes every channel usable.
  await expect(async () => {
    const res = await fetch(`${server!.url}/api/1/channels?status=open`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBe(channels.length);
  }).toPass({ timeout: 30_000, intervals: [300, 500, 1000] });

  // Load: every channel pays in order, all channels at once; kill the server mid-load.
  const first = server;
  let ok = 0;
  let killed: Promise<void> | undefined;
  const unexpected: string[] = [];
  await Promise.all(
    channels.map(async (c, i) => {
      for (let n = 1; ; n++) {
        const balance = BigInt(n) * PRICE;
        const signature = await sign(c, balance);
        c.lastSent = balance;
        let res: Response;
        try {
          res = await fetch(`${first.url}/api/echo/fix/c${i}-${n}`, {
            headers: {
              "RDN-Sender-Address": c.reader.address,
              "RDN-Open-Block": String(c.openBlock),
              "RDN-Sender-Balance": balance.toString(),
              "RDN-Balance-Signature": signature,
            },
          });
          await res.arrayBuffer();
        } catch {
          return; // the server died with this payment in flight (or before it arrived)
        }
        if (res.status !== 200) {
          unexpected.push(`channel ${i} balance ${balance}: ${res.status}`);
          return;
        }
        c.lastOk = balance;
        if (++ok === KILL_AFTER) killed = first.kill();
      }
    }),
  );
  expect(unexpected).toEqual([]);
  expect(killed, "the load reached the kill point").toBeDefined();
  await killed;
  expect(first.child.signalCode).toBe("SIGKILL");
  await expect(fetch(`${first.url}/`)).rejects.toThrow();

  // Every 200 is stored once; nothing beyond the request in flight is invented.
  const stored = readChannels(dbFile, channels);
  for (const [i, c] of channels.entries()) {
    const s = stored[i]!;
    expect(s.balance, `channel ${i}: stored balance ≥ last 200`).toBeGreaterThanOrEqual(c.lastOk);
    expect(s.balance, `channel ${i}: stored balance ≤ last sent`).toBeLessThanOrEqual(c.lastSent);
    expect(s.payments, `channel ${i}: one Payment row per accepted balance`).toEqual(
      Array.from({ length: Number(s.balance / PRICE) }, (_, k) => ({
        balance: BigInt(k + 1) * PRICE,
        amount: PRICE,
      })),
    );
  }

  // Restart on the same database.
  server = await startNextServer({ env: serverEnv });
  const url = server.url;
  let inFlightStored = 0;
  for (const [i, c] of channels.entries()) {
    const s = stored[i]!;
    // A proof that skips ahead: a corrective 402 naming the stored balance and its proof.
    const skip = await pay(url, c, s.balance + 2n * PRICE, `skip-${i}`);
    expect(skip.status).toBe(402);
    expect(skip.headers.get("RDN-Invalid-Amount")).toBe("1");
    expect(skip.headers.get("RDN-Sender-Balance")).toBe(s.balance.toString());
    expect(skip.headers.get("RDN-Balance-Signature")).toBe(s.signature);

    // The client resumes from its last 200; when the payment in flight was stored, the server
    // says so (402, its balance) and the next proof after it is accepted.
    if (s.balance > c.lastOk) {
      // The request that was in flight, sent again as it was: a retry, served without a charge.
      const retry = await pay(url, c, s.balance, `c${i}-${Number(s.balance / PRICE)}`);
      expect(retry.status).toBe(200);
      expect(retry.headers.get("RDN-Sender-Balance")).toBe(s.balance.toString());
      inFlightStored++;
    }
    let balance = c.lastOk + PRICE;
    let res = await pay(url, c, balance, `resume-${i}`);
    if (s.balance > c.lastOk) {
      expect(res.status).toBe(402);
      expect(res.headers.get("RDN-Sender-Balance")).toBe(s.balance.toString());
      balance = BigInt(res.headers.get("RDN-Sender-Balance")!) + PRICE;
      res = await pay(url, c, balance, `resume-${i}`);
    }
    expect(res.status).toBe(200);
    expect(res.headers.get("RDN-Sender-Balance")).toBe(balance.toString());
    c.lastOk = balance;
  }
  console.log(
    `crash: killed after ${ok} payments; ${inFlightStored} of ${channels.length} channels had ` +
      `a payment stored whose 200 never arrived`,
  );
  const after = readChannels(dbFile, channels);
  for (const [i, c] of channels.entries()) {
    expect(after[i]!.balance).toBe(c.lastOk);
    expect(after[i]!.payments.length).toBe(Number(c.lastOk / PRICE));
  }
});

/** Funds eight readers and opens two channels each (16 channels, 1 dUSD deposit). */
async function openChannels(
  rpcUrl: string,
  deployment: Deployment,
  receiver: Address,
): Promise<Channel[]> {
  const channels: Channel[] = [];
  for (const key of READER_KEYS) {
    const reader = privateKeyToAccount(key);
    const openBlocks = await fundAndOpenChannels({
      rpcUrl,
      deployment,
      receiver,
      reader,
      funds: 2n * TOKEN,
      deposits: [TOKEN, TOKEN],
    });
    for (const openBlock of openBlocks)
      channels.push({ reader, openBlock, lastOk: 0n, lastSent: 0n });
  }
  return channels;
}

interface Stored {
  balance: bigint;
  signature: string | null;
  payments: Array<{ balance: bigint; amount: bigint }>;
}

/** Each channel's stored balance, proof and payments, read straight from the SQLite file. */
function readChannels(file: string, channels: Channel[]): Stored[] {
  const conn = new Database(file, { fileMustExist: true });
  try {
    const row = conn.prepare<
      [string, number],
      { id: number; balance: string; signature: string | null }
    >("SELECT id, balance, signature FROM Channel WHERE sender = ? AND openBlock = ?");
    const payments = conn.prepare<[number], { balance: string; amount: string }>(
      "SELECT balance, amount FROM Payment WHERE channelId = ? ORDER BY id",
    );
    return channels.map((c) => {
      const r = row.get(c.reader.address, c.openBlock);
      if (!r) throw new Error(`channel ${c.reader.address}/${c.openBlock} is not in the database`);
      return {
        balance: BigInt(r.balance),
        signature: r.signature,
        payments: payments
          .all(r.id)
          .map((p) => ({ balance: BigInt(p.balance), amount: BigInt(p.amount) })),
      };
    });
  } finally {
    conn.close();
  }
}
