/**
 * The operator's channel actions against a real anvil chain and SQLite file: withdrawals of one
 * channel and of all, the receiver's cooperative close, and a sync pass.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PrivateKeyAccount } from "viem";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import {
  closeOne,
  closeTargets,
  syncNow,
  withdrawOne,
  withdrawTargets,
} from "@/lib/admin/channel-actions";
import { listChannelPage } from "@/lib/admin/channels";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { syncOnce } from "@/lib/indexer";
import { call, paymentHeaders, proof } from "../../helpers/paywall";
import { startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";
import { channelRow, tokens } from "../watchtower-helpers";

let f: SiteFixture;
let seq = 0;

/** One payment through the real paid echo route (5 base units), reaching cumulative `balance`. */
async function pay(reader: PrivateKeyAccount, openBlock: number, balance: bigint) {
  const param = `p${seq++}`;
  const sig = await proof(f, reader, reader.address, openBlock, balance);
  return call(
    fix,
    `/api/echo/fix/${param}`,
    { param },
    paymentHeaders(reader.address, openBlock, balance, sig),
  );
}

/** Opens and indexes a channel, then pays `count` times (5 base units each). */
async function openAndPay(reader: PrivateKeyAccount, deposit: bigint, count: number) {
  const openBlock = await f.openChannel(reader, deposit);
  await syncOnce();
  for (let i = 1; i <= count; i++)
    expect((await pay(reader, openBlock, 5n * BigInt(i))).status).toBe(200);
  return openBlock;
}

const chainInfo = (reader: PrivateKeyAccount, openBlock: number) =>
  f.publicClient.readContract({
    address: f.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [reader.address, f.receiver.address, openBlock],
  });

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => f?.stop());

describe("withdrawOne", () => {
  it("moves exactly the unclaimed amount to the receiver, then has nothing to withdraw", async () => {
    const reader = f.readers[0]!;
    const openBlock = await openAndPay(reader, 10n * TOKEN, 3);
    const key = { sender: reader.address, openBlock };
    const before = await tokens(f, f.receiver.address);

    const done = await withdrawOne(key);
    expect(done).toMatchObject({ ...key, amount: 15n });
    const receipt = await f.publicClient.getTransactionReceipt({ hash: done.txHash });
    expect(receipt.status).toBe("success");
    expect((await tokens(f, f.receiver.address)) - before).toBe(15n);
    expect((await chainInfo(reader, openBlock))[4]).toBe(15n);
    // The action synced: the index and the listing know at once.
    expect((await channelRow(reader.address, openBlock)).withdrawn).toBe("15");
    const { rows } = await listChannelPage({
      status: "open",
      search: reader.address.toLowerCase(),
      page: 1,
    });
    expect(rows[0]).toMatchObject({ balance: 15n, withdrawn: 15n, unclaimed: 0n });

    await expect(withdrawOne(key)).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/^nothing to withdraw/),
    });
    expect((await tokens(f, f.receiver.address)) - before).toBe(15n);

    // Later payments are collected by the next withdrawal, and only they.
    expect((await pay(reader, openBlock, 20n)).status).toBe(200);
    expect((await withdrawOne(key)).amount).toBe(5n);
    expect((await tokens(f, f.receiver.address)) - before).toBe(20n);
  });

  it("refuses a channel nothing was paid on, and an unknown one", async () => {
    const reader = f.readers[1]!;
    const openBlock = await f.openChannel(reader, TOKEN);
    await syncOnce();
    await expect(withdrawOne({ sender: reader.address, openBlock })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/^nothing to withdraw/),
    });
    await expect(
      withdrawOne({ sender: reader.address, openBlock: openBlock + 1 }),
    ).rejects.toMatchObject({
      status: 404,
    });
  });
});

describe("withdraw all", () => {
  it("visits every channel that owes something and collects each exactly once", async () => {
    const a = await openAndPay(f.readers[2]!, TOKEN, 2);
    const b = await openAndPay(f.readers[3]!, TOKEN, 1);
    const targets = await withdrawTargets();
    expect(targets).toEqual([
      { sender: f.readers[3]!.address, openBlock: b, amount: 5n },
      { sender: f.readers[2]!.address, openBlock: a, amount: 10n },
    ]);
    const before = await tokens(f, f.receiver.address);
    const done = [];
    for (const t of targets) done.push(await withdrawOne(t));
    expect(done.map((d) => d.amount)).toEqual([5n, 10n]);
    expect(new Set(done.map((d) => d.txHash)).size).toBe(2);
    expect((await tokens(f, f.receiver.address)) - before).toBe(15n);
    expect(await withdrawTargets()).toEqual([]);
  });
});

describe("closeOne (cooperative close by the receiver)", () => {
  it("settles at the last balance: receiver gets balance − withdrawn, sender the rest", async () => {
    const reader = f.readers[4]!;
    const deposit = 2n * TOKEN;
    const openBlock = await openAndPay(reader, deposit, 2);
    const key = { sender: reader.address, openBlock };
    await withdrawOne(key); // 10 withdrawn
    expect((await pay(reader, openBlock, 15n)).status).toBe(200);
    expect((await closeTargets()).find((t) => t.sender === reader.address)).toEqual({
      ...key,
      amount: 15n,
    });
    const [receiverBefore, readerBefore] = await Promise.all([
      tokens(f, f.receiver.address),
      tokens(f, reader.address),
    ]);

    const closed = await closeOne(key);
    expect(closed).toMatchObject({
      ...key,
      balance: 15n,
      receiverTokens: 5n,
      refund: deposit - 15n,
    });
    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(5n);
    expect((await tokens(f, reader.address)) - readerBefore).toBe(deposit - 15n);
    await expect(chainInfo(reader, openBlock)).rejects.toThrow(/ChannelNotFound/); // deleted
    const [settled] = await f.publicClient.getContractEvents({
      address: f.deployment.contract,
      abi: microTransferChannelsAbi,
      eventName: "ChannelSettled",
      args: { sender: reader.address, openBlockNumber: openBlock },
      fromBlock: 0n,
    });
    expect(settled!.transactionHash).toBe(closed.txHash);
    expect(settled!.args).toMatchObject({ balance: 15n, receiverTokens: 5n });
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      closeSigned: true,
    });

    const after = await pay(reader, openBlock, 20n);
    expect(after.status).toBe(402);
    await expect(closeOne(key)).rejects.toMatchObject({ status: 409 });
  });

  it("refuses a channel without a balance proof and leaves it open for payments", async () => {
    const reader = f.readers[5]!;
    const openBlock = await f.openChannel(reader, TOKEN);
    await syncOnce();
    await expect(closeOne({ sender: reader.address, openBlock })).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/no balance proof/),
    });
    expect((await channelRow(reader.address, openBlock)).closeSigned).toBe(false);
    expect((await pay(reader, openBlock, 5n)).status).toBe(200);
  });
});

describe("syncNow", () => {
  it("indexes new events and reports the synced block", async () => {
    await f.openChannel(f.readers[6]!, TOKEN);
    // viem caches the block number for a few seconds: read it fresh.
    const headNow = async () => Number(await f.publicClient.getBlockNumber({ cacheTime: 0 }));
    const head = await headNow();
    const s = await syncNow();
    // Up to the head as it was when the pass ran (blocks may be mined meanwhile).
    expect(s.syncedBlock).toBeGreaterThanOrEqual(head);
    expect(s.syncedBlock).toBeLessThanOrEqual(await headNow());
    expect(s.events).toBe(1);
    expect((await syncNow()).events).toBe(0);
  });
});
