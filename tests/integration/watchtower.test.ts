/**
 * The watchtower against a real anvil chain: a sender who closes below the last accepted balance
 * is answered with cooperativeClose at the accepted balance, also after running out of ETH or a
 * restart; honest closes are left alone; withdrawals move exactly what is owed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { resetChainConfig } from "@/lib/chain/config";
import { db, resetDb } from "@/lib/db/client";
import { runSyncPass, syncOnce } from "@/lib/indexer";
import { withdrawChannels } from "@/lib/watchtower";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { channelRow, closeAt, openWithPayments, signProof, tokens } from "./watchtower-helpers";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => {
  await f?.stop();
});

describe("disputes", () => {
  it("a close below the accepted balance is disputed: receiver +5, reader +5, settled", async () => {
    const reader = f.readers[0]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
    await closeAt(f, reader, openBlock, 3n * TOKEN);
    const [receiverBefore, readerBefore] = await Promise.all([
      tokens(f, f.receiver.address),
      tokens(f, reader.address),
    ]);

    const first = await runSyncPass();
    expect(first.disputes).toEqual([
      expect.objectContaining({ sender: reader.address, openBlock, outcome: "submitted" }),
    ]);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: "submitted",
    });
    const again = await runSyncPass();
    expect(again.disputes).toEqual([expect.objectContaining({ outcome: "done" })]);
    await runSyncPass();

    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(5n * TOKEN);
    expect((await tokens(f, reader.address)) - readerBefore).toBe(5n * TOKEN);
    const final = await channelRow(reader.address, openBlock);
    expect(final).toMatchObject({
      state: "settled",
      dispute: "done",
      closingBalance: (5n * TOKEN).toString(),
      disputeError: null,
    });
    expect(final.disputeTx).toMatch(/^0x[0-9a-f]{64}$/);
    expect((await runSyncPass()).disputes).toEqual([]);
  });

  it("an honest close (announced ≥ accepted) is not disputed", async () => {
    const reader = f.readers[1]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
    await closeAt(f, reader, openBlock, 5n * TOKEN);
    expect((await runSyncPass()).disputes).toEqual([]);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: null,
    });
  });

  it("without ETH the dispute waits as no-eth and goes out once ETH is back", async () => {
    const reader = f.readers[2]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [6n * TOKEN]);
    await closeAt(f, reader, openBlock, 1n * TOKEN);
    const eth = await f.publicClient.getBalance({ address: f.receiver.address });
    await f.testClient.setBalance({ address: f.receiver.address, value: 0n });

    const broke = await runSyncPass();
    expect(broke.disputes).toEqual([expect.objectContaining({ outcome: "no-eth" })]);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: "no-eth",
      disputeTx: null,
    });
    expect((await channelRow(reader.address, openBlock)).disputeError).toBeTruthy();
    expect((await runSyncPass()).disputes).toEqual([]); // still no ETH: waits quietly

    await f.testClient.setBalance({ address: f.receiver.address, value: eth });
    const receiverBefore = await tokens(f, f.receiver.address);
    expect((await runSyncPass()).disputes).toEqual([
      expect.objectContaining({ outcome: "submitted" }),
    ]);
    await runSyncPass();
    await runSyncPass();
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
    });
    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(6n * TOKEN);
  });

  it("a restart in the middle of the challenge period still disputes before the settle block", async () => {
    const reader = f.readers[3]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [4n * TOKEN]);
    await closeAt(f, reader, openBlock, 0n);
    await f.mine(100);
    // The server "restarts": fresh clients, state only from the database.
    await resetDb();
    resetChainConfig();
    const receiverBefore = await tokens(f, f.receiver.address);
    const pass = await runSyncPass();
    expect(pass.disputes).toEqual([expect.objectContaining({ outcome: "submitted" })]);
    const closing = await channelRow(reader.address, openBlock);
    expect(pass.headBlock).toBeLessThan(closing.settleBlock!);
    await runSyncPass();
    await runSyncPass();
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
    });
    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(4n * TOKEN);
  });
});

describe("withdrawChannels", () => {
  it("transfers exactly balance − withdrawn, and nothing below the minimum", async () => {
    const reader = f.readers[4]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [4n * TOKEN]);
    const before = await tokens(f, f.receiver.address);
    const first = await withdrawChannels({ minimum: TOKEN });
    expect(first).toEqual([
      {
        sender: reader.address,
        openBlock,
        amount: 4n * TOKEN,
        txHash: expect.stringMatching(/^0x/),
      },
    ]);
    expect((await tokens(f, f.receiver.address)) - before).toBe(4n * TOKEN);
    await syncOnce();
    expect((await channelRow(reader.address, openBlock)).withdrawn).toBe((4n * TOKEN).toString());

    const balance = 7n * TOKEN;
    const signature = await signProof(f, reader, openBlock, balance);
    await db().channel.update({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
      data: { balance: balance.toString(), signature },
    });
    expect(await withdrawChannels({ minimum: 4n * TOKEN })).toEqual([]);
    const second = await withdrawChannels({ minimum: parseEther("1") });
    expect(second.map((w) => w.amount)).toEqual([3n * TOKEN]);
    expect((await tokens(f, f.receiver.address)) - before).toBe(7n * TOKEN);
  });
});
