/**
 * The indexer against a real anvil chain and the real contracts: channels appear, confirm, grow,
 * close and settle as the contract events say; reorgs, restarts and redeployments are survived.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Address, PrivateKeyAccount } from "viem";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { resetChainConfig } from "@/lib/chain/config";
import { db, resetDb } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { channelDomain, signBalanceProof } from "@/lib/protocol";
import { startIndexerLoop, stopIndexerLoop, syncOnce } from "@/lib/indexer";
import { acquireLease, LEASE_OWNER } from "@/lib/indexer/lease";
import { confirmLeadership, holdsLeadership } from "@/lib/cluster/leadership";
import { exportProofs, type ProofBackup } from "@/lib/db/proof-backup";
import { switchDeployment } from "../../scripts/lib/switch-deployment";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { testDatabaseKind } from "../helpers/test-database";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => {
  await stopIndexerLoop();
  await f?.stop();
});

function setConfirmations(n: number): void {
  process.env.CONFIRMATIONS = String(n);
  resetEnv();
}
beforeEach(() => setConfirmations(0));

type Call =
  | { fn: "topUp"; openBlock: number; amount: bigint }
  | { fn: "uncooperativeClose"; openBlock: number; amount: bigint }
  | { fn: "settle"; openBlock: number };

/** Sends one channel call from `reader` (a top-up approves first) and returns its block. */
async function send(reader: PrivateKeyAccount, call: Call): Promise<number> {
  const w = f.wallet(reader);
  const target = { address: f.deployment.contract, abi: microTransferChannelsAbi } as const;
  const receiver = f.receiver.address;
  let hash;
  if (call.fn === "topUp") {
    const approve = await w.writeContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [f.deployment.contract, call.amount],
    });
    await f.publicClient.waitForTransactionReceipt({ hash: approve, pollingInterval: 50 });
    hash = await w.writeContract({
      ...target,
      functionName: "topUp",
      args: [receiver, call.openBlock, call.amount],
    });
  } else if (call.fn === "uncooperativeClose") {
    hash = await w.writeContract({
      ...target,
      functionName: "uncooperativeClose",
      args: [receiver, call.openBlock, call.amount],
    });
  } else {
    hash = await w.writeContract({
      ...target,
      functionName: "settle",
      args: [receiver, call.openBlock],
    });
  }
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  expect(receipt.status).toBe("success");
  return Number(receipt.blockNumber);
}

const channel = (sender: Address, openBlock: number) =>
  db().channel.findUnique({ where: { sender_openBlock: { sender, openBlock } } });

describe("indexing channels", () => {
  it("indexes a new channel: confirmed, deposit, signer = sender by default", async () => {
    const reader = f.readers[0]!;
    const openBlock = await f.openChannel(reader, 10n * TOKEN);
    const result = await syncOnce();
    expect(result.syncedBlock).toBe(result.headBlock);
    expect(result.events).toBe(1);
    expect(await channel(reader.address, openBlock)).toMatchObject({
      receiver: f.receiver.address,
      signer: reader.address,
      confirmed: true,
      deposit: (10n * TOKEN).toString(),
      seenDeposit: (10n * TOKEN).toString(),
      state: "open",
      balance: "0",
      signature: null,
      settleBlock: null,
    });
    const state = await db().syncState.findUniqueOrThrow({ where: { id: 1 } });
    expect(BigInt(state.receiverEth)).toBeGreaterThan(0n);
  });

  it("records a session-key signer", async () => {
    const reader = f.readers[1]!;
    const sessionKey = f.readers[8]!.address;
    const openBlock = await f.openChannel(reader, 2n * TOKEN, sessionKey);
    await syncOnce();
    expect((await channel(reader.address, openBlock))?.signer).toBe(sessionKey);
  });

  it("with CONFIRMATIONS=2 a channel and its top-ups count only after two more blocks", async () => {
    setConfirmations(2);
    const reader = f.readers[2]!;
    const openBlock = await f.openChannel(reader, 10n * TOKEN);
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      confirmed: false,
      deposit: "0",
      seenDeposit: (10n * TOKEN).toString(),
    });
    await f.mine(1);
    await syncOnce();
    expect((await channel(reader.address, openBlock))?.confirmed).toBe(false);
    await f.mine(1);
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      confirmed: true,
      deposit: (10n * TOKEN).toString(),
    });

    await send(reader, { fn: "topUp", openBlock, amount: 5n * TOKEN }); // approve + topUp: 2 blocks
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      deposit: (10n * TOKEN).toString(),
      seenDeposit: (15n * TOKEN).toString(),
    });
    await f.mine(2);
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      deposit: (15n * TOKEN).toString(),
      seenDeposit: (15n * TOKEN).toString(),
    });
  });

  it("a top-up updates the deposit", async () => {
    const reader = f.readers[3]!;
    const openBlock = await f.openChannel(reader, 10n * TOKEN);
    await send(reader, { fn: "topUp", openBlock, amount: 5n * TOKEN });
    await send(reader, { fn: "topUp", openBlock, amount: 10n * TOKEN });
    await syncOnce();
    expect((await channel(reader.address, openBlock))?.deposit).toBe((25n * TOKEN).toString());
  });

  it("ignores another receiver's channel", async () => {
    const reader = f.readers[4]!;
    const w = f.wallet(reader);
    const other = f.readers[7]!.address;
    const approve = await w.writeContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [f.deployment.contract, TOKEN],
    });
    await f.publicClient.waitForTransactionReceipt({ hash: approve, pollingInterval: 50 });
    const hash = await w.writeContract({
      address: f.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "createChannel",
      args: [other, TOKEN, "0x0000000000000000000000000000000000000000"],
    });
    const receipt = await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    const result = await syncOnce();
    expect(result.events).toBe(0);
    expect(await channel(reader.address, Number(receipt.blockNumber))).toBeNull();
    expect(await db().chainEvent.count({ where: { sender: reader.address } })).toBe(0);
  });

  it("uncooperative close → closing with settleBlock; settle after the challenge period → settled", async () => {
    const reader = f.readers[5]!;
    const openBlock = await f.openChannel(reader, 10n * TOKEN);
    const closeBlock = await send(reader, {
      fn: "uncooperativeClose",
      openBlock,
      amount: 2n * TOKEN,
    });
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "closing",
      settleBlock: closeBlock + f.deployment.challengePeriod,
      closingBalance: (2n * TOKEN).toString(),
    });
    await f.mine(f.deployment.challengePeriod);
    await send(reader, { fn: "settle", openBlock });
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "settled",
      closingBalance: (2n * TOKEN).toString(),
    });
  });
});

describe("withdrawals, reorgs, restarts", () => {
  it("indexes a receiver withdrawal", async () => {
    const reader = f.readers[6]!;
    const openBlock = await f.openChannel(reader, 10n * TOKEN);
    const domain = channelDomain({
      chainId: f.deployment.chainId,
      contract: f.deployment.contract,
    });
    const message = {
      sender: reader.address,
      receiver: f.receiver.address,
      openBlockNumber: openBlock,
      balance: 4n * TOKEN,
    };
    const sig = await signBalanceProof({ account: reader, domain, message });
    const w = f.wallet(f.receiver);
    const hash = await w.writeContract({
      address: f.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "withdraw",
      args: [reader.address, openBlock, 4n * TOKEN, sig],
    });
    expect(
      (await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status,
    ).toBe("success");
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "open",
      withdrawn: (4n * TOKEN).toString(),
    });
  });

  it("a reorg that removes an unconfirmed channel: it disappears and never confirms", async () => {
    setConfirmations(1);
    const reader = f.readers[7]!;
    await syncOnce();
    const openBlock = await f.openChannel(reader, 3n * TOKEN);
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toMatchObject({ confirmed: false });
    await f.testClient.request({ method: "anvil_reorg", params: [1, []] } as never);
    const result = await syncOnce();
    // The fork point is at or below the replaced block (only some block hashes are recorded).
    expect(result.reorg?.fromBlock).toBeLessThanOrEqual(openBlock);
    expect(result.reorg?.fromBlock).toBeGreaterThan(openBlock - 3);
    expect(await channel(reader.address, openBlock)).toBeNull();
    expect(await db().chainEvent.count({ where: { sender: reader.address, openBlock } })).toBe(0);
    await f.mine(3);
    await syncOnce();
    expect(await channel(reader.address, openBlock)).toBeNull();
  });

  it("restart safety: a second pass and a fresh process resume from syncedBlock without duplicates", async () => {
    const first = await syncOnce();
    const events = await db().chainEvent.count();
    const channels = await db().channel.count();
    const again = await syncOnce();
    expect(again.events).toBe(0);
    await resetDb();
    resetChainConfig();
    await f.mine(2);
    const restarted = await syncOnce();
    expect(restarted.events).toBe(0);
    expect(restarted.syncedBlock).toBe(first.syncedBlock + 2);
    expect(await db().chainEvent.count()).toBe(events);
    expect(await db().channel.count()).toBe(channels);
  });

  it("a different deployment in SyncState is refused until switched; the switch keeps every proof", async () => {
    const before = await db().channel.findMany({ orderBy: { id: "asc" } });
    const events = await db().chainEvent.count();
    const someone = before[0]!;
    await db().channel.update({
      where: { id: someone.id },
      data: { balance: "1", signature: "0x01" },
    });
    const old = "0x0000000000000000000000000000000000000001";
    await db().syncState.update({
      where: { id: 1 },
      data: { contract: old, syncedBlock: 99999 },
    });
    await resetDb();
    resetChainConfig();
    // Nothing is deleted automatically: indexing refuses and names what differs.
    await expect(syncOnce()).rejects.toThrow(
      new RegExp(
        `another deployment \\(contract ${old}, configured ${f.deployment.contract}\\).*db:switch-deployment`,
      ),
    );
    expect(await db().channel.count()).toBe(before.length);
    expect((await channel(someone.sender as Address, someone.openBlock))?.balance).toBe("1");

    // The explicit switch writes a backup first, then archives the last proofs.
    const backupDir = path.join(f.dir, "backups");
    const { file, archived } = await switchDeployment(backupDir);
    expect(archived).toBe(before.length);
    const backup = JSON.parse(readFileSync(file!, "utf8")) as ProofBackup;
    expect(backup.proofs.find((p) => p.sender === someone.sender)).toMatchObject({
      contract: old,
      balance: "1",
      balance_signature: "0x01",
      source: "live",
    });
    const kept = await db().archivedProof.findFirstOrThrow({ where: { sender: someone.sender } });
    expect([kept.contract, kept.balance, kept.signature]).toEqual([old, "1", "0x01"]);
    const exported = await exportProofs();
    expect(exported.proofs.filter((p) => p.source === "archived")).toHaveLength(before.length);

    const result = await syncOnce();
    expect(result.events).toBe(events);
    const state = await db().syncState.findUniqueOrThrow({ where: { id: 1 } });
    expect(state.contract).toBe(f.deployment.contract);
    expect(state.fromBlock).toBe(f.deployment.startBlock);
    const after = await db().channel.findMany({ orderBy: { sender: "asc" } });
    expect(after.map((c) => [c.sender, c.openBlock, c.state, c.deposit])).toEqual(
      [...before]
        .sort((a, b) => a.sender.localeCompare(b.sender))
        .map((c) => [c.sender, c.openBlock, c.state, c.deposit]),
    );
    expect((await channel(someone.sender as Address, someone.openBlock))?.balance).toBe("0");
  });
});

describe("background loop", () => {
  it("another instance's live lease keeps this one out", async () => {
    await db().syncState.update({
      where: { id: 1 },
      data: { leaseOwner: "other-host:1", leaseUntil: new Date(Date.now() + 60_000) },
    });
    expect(await acquireLease(30_000)).toBe(false);
    // On SQLite the lease is the leadership: the receiver's queue would send nothing now.
    if (testDatabaseKind() === "sqlite") expect(await confirmLeadership()).toBe(false);
    await db().syncState.update({
      where: { id: 1 },
      data: { leaseUntil: new Date(Date.now() - 1) },
    });
    if (testDatabaseKind() === "sqlite") expect(await confirmLeadership()).toBe(true);
    expect(await acquireLease(30_000)).toBe(true);
    expect(await acquireLease(30_000)).toBe(true);
    if (testDatabaseKind() === "sqlite") expect(await confirmLeadership()).toBe(true);
  });

  it("a lease of a local process that no longer runs is taken over at once", async () => {
    const exited = spawnSync(process.execPath, ["-e", ""]);
    const until = new Date(Date.now() + 60_000);
    // A live process of this host (the test runner's parent) keeps its lease until it expires.
    await db().syncState.update({
      where: { id: 1 },
      data: { leaseOwner: `${hostname()}:${process.ppid}:live`, leaseUntil: until },
    });
    expect(await acquireLease(30_000)).toBe(false);
    // A killed one does not: the restarted server indexes (and disputes) without waiting.
    await db().syncState.update({
      where: { id: 1 },
      data: { leaseOwner: `${hostname()}:${exited.pid}:dead`, leaseUntil: until },
    });
    expect(await acquireLease(30_000)).toBe(true);
    expect((await db().syncState.findUniqueOrThrow({ where: { id: 1 } })).leaseOwner).toBe(
      LEASE_OWNER,
    );
  });

  it("starts once per process and indexes new channels on its own", async () => {
    expect(startIndexerLoop()).toBe(false); // INDEXER_ENABLED is off in the fixture
    Object.assign(process.env, { SYNC_INTERVAL_MS: "200", INDEXER_ENABLED: "true" });
    resetEnv();
    expect(startIndexerLoop()).toBe(true);
    expect(startIndexerLoop()).toBe(false);
    const reader = f.readers[8]!;
    const openBlock = await f.openChannel(reader, TOKEN);
    await expect
      .poll(() => channel(reader.address, openBlock), { timeout: 10_000, interval: 100 })
      .not.toBeNull();
    await stopIndexerLoop();
    // Stopping gives the leadership up: the SQLite lease row, PostgreSQL's advisory lock.
    expect(holdsLeadership()).toBe(testDatabaseKind() === "sqlite");
    if (testDatabaseKind() === "sqlite")
      expect((await db().syncState.findUniqueOrThrow({ where: { id: 1 } })).leaseOwner).toBeNull();
  });
});
