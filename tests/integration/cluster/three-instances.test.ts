/**
 * The site as deployed on more than one process: PostgreSQL, three `next start` instances of the
 * production build and nginx in front, a real anvil chain. 1,000 payments sent at once over 50
 * channels are each counted once; sessions and receipts issued by one instance are honoured by the
 * others; and when the leader is killed in the middle of a challenge period, another instance takes
 * over and the dispute lands before the settle block.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import {
  createPublicClient,
  createTestClient,
  createWalletClient,
  http,
  parseEther,
  type Address,
  type Hex,
  type PrivateKeyAccount,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import type { Deployment } from "@/lib/chain/deployment";
import { ECHO_FIX_PRICE } from "@/lib/content/echo";
import { channelDomain } from "@/lib/protocol/eip712";
import { signBalanceProof } from "@/lib/protocol/proofs";
import { startAnvil, type AnvilProcess } from "../../../scripts/lib/anvil";
import { startCluster, type Cluster } from "../../../scripts/lib/cluster";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";
import { ANVIL_KEY_0, prepareSite } from "../../../scripts/lib/prepare-site";
import { paymentHeaders } from "../../helpers/paywall";
import { assertBuildExists } from "../../helpers/site-server";
import { signIn } from "./sign-in";

const API_TOKEN = "cluster-api-token-0123456789";
const CHANNELS = 50;
const PAYMENTS_PER_CHANNEL = 20;
const DEPOSIT = 10n ** 18n;

let postgres: PostgresServer;
let anvil: AnvilProcess;
let cluster: Cluster;
let dir: string;
let databaseUrl: string;
let deployment: Deployment;
let publicClient: ReturnType<typeof createPublicClient>;
let testClient: ReturnType<typeof createTestClient>;
const receiver = privateKeyToAccount(ANVIL_KEY_0);

interface OpenChannel {
  reader: PrivateKeyAccount;
  openBlock: number;
}
let channels: OpenChannel[] = [];

const wallet = (account: PrivateKeyAccount) =>
  createWalletClient({
    chain: buildChain(deployment.chainId, anvil.rpcUrl),
    transport: http(anvil.rpcUrl),
    account,
  });

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function one<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T> {
  const [row] = await query<T>(text, values);
  if (!row) throw new Error(`no row for ${text}`);
  return row;
}

/** The stored balance of a channel. */
async function storedBalance(c: OpenChannel): Promise<bigint> {
  const row = await one<{ balance: string }>(
    `SELECT "balance" FROM "Channel" WHERE "sender" = $1 AND "openBlock" = $2`,
    [c.reader.address, c.openBlock],
  );
  return BigInt(row.balance);
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The instance (1-based) holding the leader lock, from PostgreSQL's own view. */
async function leaderInstance(): Promise<number | undefined> {
  const rows = await query<{ application_name: string }>(
    `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'paychan-leader %'`,
  );
  if (rows.length > 1) throw new Error(`two leaders: ${rows.map((r) => r.application_name)}`);
  const name = rows[0]?.application_name.split(" ")[1];
  return name ? Number(name) : undefined;
}

/** 50 readers, each funded and with one channel of DEPOSIT to the receiver, opened at once. */
async function openChannels(): Promise<OpenChannel[]> {
  const readers = Array.from({ length: CHANNELS }, () => privateKeyToAccount(generatePrivateKey()));
  const deployer = wallet(receiver);
  let nonce = await publicClient.getTransactionCount({
    address: receiver.address,
    blockTag: "pending",
  });
  const funding = await Promise.all(
    readers.map(async (r) => {
      await testClient.setBalance({ address: r.address, value: parseEther("1") });
      return deployer.writeContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "transfer",
        args: [r.address, DEPOSIT],
        nonce: nonce++,
      });
    }),
  );
  for (const hash of funding) await publicClient.waitForTransactionReceipt({ hash });
  const opened = await Promise.all(
    readers.map(async (reader) => {
      const w = wallet(reader);
      // Both go out at once (gas given, so nothing is estimated against the unapproved state).
      await w.writeContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "approve",
        args: [deployment.contract, DEPOSIT],
        nonce: 0,
        gas: 100_000n,
      });
      const hash = await w.writeContract({
        address: deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "createChannel",
        args: [receiver.address, DEPOSIT, "0x0000000000000000000000000000000000000000"],
        nonce: 1,
        gas: 300_000n,
      });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success")
        throw new Error(`createChannel of ${reader.address} reverted`);
      return { reader, openBlock: Number(receipt.blockNumber) };
    }),
  );
  return opened;
}

function sign(c: OpenChannel, balance: bigint): Promise<Hex> {
  return signBalanceProof({
    account: c.reader,
    domain: channelDomain({ chainId: deployment.chainId, contract: deployment.contract }),
    message: {
      sender: c.reader.address,
      receiver: receiver.address,
      openBlockNumber: c.openBlock,
      balance,
    },
  });
}

beforeAll(async () => {
  assertBuildExists();
  postgres = await startPostgres({ fast: true, log: () => undefined });
  databaseUrl = await postgres.createDatabase("cluster");
  anvil = await startAnvil({ blockTime: 1 });
  dir = mkdtempSync(path.join(os.tmpdir(), "site-cluster-"));
  const deploymentFile = path.join(dir, "deployment.json");
  ({ deployment } = await prepareSite({
    rpcUrl: anvil.rpcUrl,
    databaseUrl,
    deploymentFile,
    // Amounts below are in whole tokens of 18 decimals.
    demoToken: "DemoToken",
  }));
  const chain = buildChain(deployment.chainId, anvil.rpcUrl);
  publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), pollingInterval: 100 });
  testClient = createTestClient({ chain, mode: "anvil", transport: http(anvil.rpcUrl) });
  cluster = await startCluster({
    count: 3,
    log: () => undefined,
    out: (line) => appendFileSync(path.join(dir, "instances.log"), `${line}\n`),
    env: {
      DATABASE_URL: databaseUrl,
      RPC_URL: anvil.rpcUrl,
      DEPLOYMENT_FILE: deploymentFile,
      RECEIVER_PRIVATE_KEY: ANVIL_KEY_0,
      SESSION_SECRET: "cluster-session-secret-0123456789abcdef0123",
      API_TOKEN,
      CONFIRMATIONS: "1",
      INDEXER_ENABLED: "true",
      SYNC_INTERVAL_MS: "300",
    },
  });
  channels = await openChannels();
  // Every instance indexes nothing itself but sees what the leader indexed.
  await waitFor("the 50 channels confirmed in the index", 60_000, async () => {
    const [row] = await query<{ n: string }>(
      `SELECT count(*) AS n FROM "Channel" WHERE "confirmed" AND "state" = 'open'`,
    );
    return Number(row!.n) === CHANNELS ? true : undefined;
  });
}, 300_000);

afterAll(async () => {
  await cluster?.stop();
  if (process.env.KEEP_CLUSTER_LOG && dir)
    appendFileSync(process.env.KEEP_CLUSTER_LOG, readFileSync(path.join(dir, "instances.log")));
  await anvil?.stop();
  postgres?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("three instances behind nginx on PostgreSQL", () => {
  it("has exactly one leader", async () => {
    const leader = await waitFor("a leader", 10_000, leaderInstance);
    expect([1, 2, 3]).toContain(leader);
  });

  it("counts each of 1,000 concurrent payments over 50 channels once: balances equal the accepted prices", async () => {
    const requests = await Promise.all(
      channels.flatMap((c) =>
        Array.from({ length: PAYMENTS_PER_CHANNEL }, async (_, i) => {
          const balance = BigInt(i + 1) * ECHO_FIX_PRICE;
          return {
            c,
            balance,
            headers: paymentHeaders(c.reader.address, c.openBlock, balance, await sign(c, balance)),
          };
        }),
      ),
    );
    requests.sort(() => Math.random() - 0.5);
    const answers = await Promise.all(
      requests.map(async (r) => {
        const res = await fetch(`${cluster.url}/api/echo/fix/${r.c.reader.address}-${r.balance}`, {
          headers: r.headers,
        });
        await res.arrayBuffer();
        return { ...r, status: res.status, instance: res.headers.get("x-paychan-instance") };
      }),
    );
    expect(answers.filter((a) => a.status !== 200 && a.status !== 402)).toEqual([]);

    const rows = await query<{
      sender: string;
      openBlock: number;
      balance: string;
      paid: string;
      n: string;
    }>(
      `SELECT c."sender", c."openBlock", c."balance",
              COALESCE(SUM(p."amount"::numeric), 0)::text AS paid, COUNT(p."id")::text AS n
         FROM "Channel" c LEFT JOIN "Payment" p ON p."channelId" = c."id"
        GROUP BY c."id"`,
    );
    let accepted = 0;
    for (const c of channels) {
      const ok = answers.filter((a) => a.c === c && a.status === 200);
      const row = rows.find((r) => r.sender === c.reader.address && r.openBlock === c.openBlock)!;
      accepted += ok.length;
      // What the clients were served is what the channel holds, and each payment row is one price.
      expect(BigInt(row.balance)).toBe(BigInt(ok.length) * ECHO_FIX_PRICE);
      expect(BigInt(row.paid)).toBe(BigInt(row.balance));
      expect(Number(row.n)).toBe(ok.length);
      // No balance was served twice.
      expect(new Set(ok.map((a) => a.balance)).size).toBe(ok.length);
    }
    expect(accepted).toBeGreaterThanOrEqual(CHANNELS);
    // nginx spread them over all three instances.
    const perInstance = new Map<string | null, number>();
    for (const a of answers) perInstance.set(a.instance, (perInstance.get(a.instance) ?? 0) + 1);
    expect([...perInstance.keys()].sort()).toEqual(["1", "2", "3"]);
    console.log(
      `1,000 payments at once: ${accepted} accepted, the rest refused as out of order; ` +
        `per instance ${JSON.stringify(Object.fromEntries(perInstance))}`,
    );
  }, 180_000);

  it("pays in order from 50 readers at once: every payment is accepted and counted", async () => {
    const before = await query<{ sender: string; openBlock: number; balance: string }>(
      `SELECT "sender", "openBlock", "balance" FROM "Channel"`,
    );
    const start = new Map(before.map((r) => [`${r.sender}:${r.openBlock}`, BigInt(r.balance)]));
    const statuses = await Promise.all(
      channels.map(async (c) => {
        let balance = start.get(`${c.reader.address}:${c.openBlock}`)!;
        const seen: number[] = [];
        for (let i = 0; i < 5; i++) {
          balance += ECHO_FIX_PRICE;
          const res = await fetch(`${cluster.url}/api/echo/fix/seq-${c.reader.address}-${i}`, {
            headers: paymentHeaders(c.reader.address, c.openBlock, balance, await sign(c, balance)),
          });
          await res.arrayBuffer();
          seen.push(res.status);
        }
        return { c, seen, balance };
      }),
    );
    for (const s of statuses) expect(s.seen).toEqual([200, 200, 200, 200, 200]);
    const after = await query<{ sender: string; openBlock: number; balance: string }>(
      `SELECT "sender", "openBlock", "balance" FROM "Channel"`,
    );
    for (const s of statuses) {
      const row = after.find(
        (r) => r.sender === s.c.reader.address && r.openBlock === s.c.openBlock,
      )!;
      expect(BigInt(row.balance)).toBe(s.balance);
    }
  }, 120_000);

  it("honours a session and a receipt issued by one instance on every other", async () => {
    const cookie = await signIn(cluster.url, receiver, deployment.chainId);
    for (const instance of cluster.instances) {
      const res = await fetch(`${instance.url}/api/1/stats`, { headers: { cookie } });
      expect(res.status, `instance ${instance.index}`).toBe(200);
    }

    const [first, second] = cluster.instances;
    const c = channels[0]!;
    const balance = await storedBalance(c);
    const { slug, price } = await one<{ slug: string; price: string }>(
      `SELECT "slug", "price" FROM "Article" WHERE "published" ORDER BY "id" LIMIT 1`,
    );
    const next = balance + BigInt(price);
    const paid = await fetch(`${first!.url}/articles/${slug}`, {
      headers: {
        accept: "text/html",
        ...paymentHeaders(c.reader.address, c.openBlock, next, await sign(c, next)),
      },
    });
    await paid.arrayBuffer();
    expect(paid.status).toBe(200);
    expect(paid.headers.get("x-paychan-instance")).toBe("1");
    const receipt = paid.headers.get("set-cookie")!.split(";")[0]!;
    expect(receipt).toMatch(/^rdn_receipt=./);
    const again = await fetch(`${second!.url}/articles/${slug}`, {
      headers: { accept: "text/html", cookie: receipt },
    });
    expect(again.status).toBe(200);
    expect(again.headers.get("x-paychan-instance")).toBe("2");
    // Read again on the second instance without paying: the channel was charged once.
    const after = await storedBalance(c);
    expect(after).toBe(next);
  });

  it("runs sync and withdrawals asked of any instance on the leader, which alone sends transactions", async () => {
    const leader = (await waitFor("a leader", 10_000, leaderInstance))!;
    const auth = { authorization: `Bearer ${API_TOKEN}` };
    for (const instance of cluster.instances) {
      const res = await fetch(`${instance.url}/api/1/sync`, { method: "POST", headers: auth });
      const body = (await res.json()) as { synced_block: number };
      expect(res.status, `sync on instance ${instance.index}`).toBe(200);
      expect(body.synced_block).toBeGreaterThan(0);
    }
    // The two that do not lead handed theirs to the leader.
    const tasks = await query<{ kind: string; state: string; owner: string }>(
      `SELECT "kind", "state", "owner" FROM "LeaderTask" WHERE "kind" = 'sync'`,
    );
    expect(tasks).toHaveLength(2);
    expect(new Set(tasks.map((t) => t.state))).toEqual(new Set(["done"]));
    expect(new Set(tasks.map((t) => t.owner)).size).toBe(1);

    const nonLeader = cluster.instances.find((i) => i.index !== leader)!;
    const tokenBalance = () =>
      publicClient.readContract({
        address: deployment.token,
        abi: demoTokenAbi,
        functionName: "balanceOf",
        args: [receiver.address],
      });
    const before = await tokenBalance();
    const nonceBefore = await publicClient.getTransactionCount({ address: receiver.address });
    // The channels that hold the most (a few: each withdrawal waits for its block).
    const { top } = await one<{ top: string }>(
      `SELECT max("balance"::numeric)::text AS top FROM "Channel" WHERE "state" = 'open'`,
    );
    const res = await fetch(`${nonLeader.url}/api/1/withdraw`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ minimum: top }),
    });
    const body = (await res.json()) as { total: string; withdrawals: { tx_hash: Hex }[] };
    expect(res.status).toBe(200);
    expect(body.withdrawals.length).toBeGreaterThan(0);
    for (const w of body.withdrawals)
      expect((await publicClient.waitForTransactionReceipt({ hash: w.tx_hash })).status).toBe(
        "success",
      );
    expect((await tokenBalance()) - before).toBe(BigInt(body.total));
    // One nonce per transaction: no two instances picked the same one.
    expect(await publicClient.getTransactionCount({ address: receiver.address })).toBe(
      nonceBefore + body.withdrawals.length,
    );
    const [withdraw] = await query<{ owner: string; state: string }>(
      `SELECT "owner", "state" FROM "LeaderTask" WHERE "kind" = 'withdrawAll'`,
    );
    expect(withdraw).toMatchObject({ state: "done", owner: tasks[0]!.owner });
  }, 120_000);

  it("disputes a cheating close before the settle block although the leader is killed with SIGKILL", async () => {
    const c = channels[1]!;
    // One more payment first: whatever was withdrawn before, the close below takes something.
    const balance = (await storedBalance(c)) + ECHO_FIX_PRICE;
    const paid = await fetch(`${cluster.url}/api/echo/fix/before-close`, {
      headers: paymentHeaders(c.reader.address, c.openBlock, balance, await sign(c, balance)),
    });
    expect(paid.status).toBe(200);
    expect(await storedBalance(c)).toBe(balance);
    const leader = (await waitFor("a leader", 10_000, leaderInstance))!;
    const old = cluster.instances[leader - 1]!;
    // Frozen first, so the old leader cannot have seen the close, let alone disputed it.
    await old.kill("SIGSTOP");
    const hash = await wallet(c.reader).writeContract({
      address: deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "uncooperativeClose",
      args: [receiver.address, c.openBlock, 0n],
    });
    const closeReceipt = await publicClient.waitForTransactionReceipt({ hash });
    expect(closeReceipt.status).toBe("success");
    const [requested] = await publicClient.getContractEvents({
      address: deployment.contract,
      abi: microTransferChannelsAbi,
      eventName: "ChannelCloseRequested",
      args: { sender: c.reader.address as Address, openBlockNumber: c.openBlock },
      fromBlock: closeReceipt.blockNumber,
      toBlock: closeReceipt.blockNumber,
    });
    const settleBlock = requested!.args.settleBlockNumber!;
    const killedAt = Date.now();
    await old.kill("SIGKILL");

    // PostgreSQL drops the dead session (and its lock) once it reads the closed socket.
    const next = await waitFor("a new leader", 15_000, async () => {
      const current = await leaderInstance();
      return current !== undefined && current !== leader ? current : undefined;
    });
    expect(next).not.toBe(leader);
    const took = Date.now() - killedAt;
    const settled = await waitFor("the dispute on chain", 60_000, async () => {
      const logs = await publicClient.getContractEvents({
        address: deployment.contract,
        abi: microTransferChannelsAbi,
        eventName: "ChannelSettled",
        args: { sender: c.reader.address as Address, openBlockNumber: c.openBlock },
        fromBlock: closeReceipt.blockNumber,
      });
      return logs[0];
    });
    expect(settled.blockNumber).toBeLessThan(BigInt(settleBlock));
    console.log(
      `leader ${leader} killed: instance ${next} led ${took} ms later; the dispute was mined in ` +
        `block ${settled.blockNumber}, ${BigInt(settleBlock) - settled.blockNumber!} blocks ` +
        `before the settle block ${settleBlock} (closed in block ${closeReceipt.blockNumber})`,
    );
    expect(settled.args.balance).toBe(balance);
    expect(took).toBeLessThan(15_000);

    // The survivors keep serving payments through nginx.
    const other = channels[2]!;
    const b2 = await storedBalance(other);
    const more = b2 + ECHO_FIX_PRICE;
    const res = await fetch(`${cluster.url}/api/echo/fix/after-failover`, {
      headers: paymentHeaders(other.reader.address, other.openBlock, more, await sign(other, more)),
    });
    expect(res.status).toBe(200);
  }, 120_000);
});
