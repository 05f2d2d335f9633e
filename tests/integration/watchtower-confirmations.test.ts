/**
 * A dispute counts as done only with TX_CONFIRMATIONS blocks on top of it, and a dispute that a
 * reorg removes from the chain is sent again while the channel is closing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { runSyncPass } from "@/lib/indexer";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { channelRow, closeAt, openWithPayments, tokens } from "./watchtower-helpers";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture({ env: { TX_CONFIRMATIONS: "2" } });
});
afterAll(async () => {
  await f?.stop();
});

/** Replaces the last `depth` blocks with as many empty ones. */
const reorg = (depth: number) =>
  f.testClient.request({ method: "anvil_reorg", params: [depth, []] } as never);

const head = async () => Number(await f.publicClient.getBlockNumber({ cacheTime: 0 }));

describe("dispute confirmations", () => {
  it("is done only once TX_CONFIRMATIONS blocks are on top of its block", async () => {
    const reader = f.readers[0]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
    await closeAt(f, reader, openBlock, 2n * TOKEN);

    const sent = await runSyncPass();
    expect(sent.disputes).toEqual([expect.objectContaining({ outcome: "submitted" })]);
    const txHash = sent.disputes[0]!.txHash as Hex;
    // anvil mines at once, but may answer the broadcast before the block is stored.
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: txHash,
      pollingInterval: 50,
    });
    expect(receipt.status).toBe("success");

    // Mined (0 blocks on top), then 1 block on top: not final yet.
    for (let onTop = 0; onTop < 2; onTop++) {
      expect(await head()).toBe(Number(receipt.blockNumber) + onTop);
      expect((await runSyncPass()).disputes).toEqual([
        expect.objectContaining({ outcome: "confirming", txHash }),
      ]);
      expect(await channelRow(reader.address, openBlock)).toMatchObject({
        dispute: "submitted",
        disputeTx: txHash,
      });
      await f.mine(1);
    }
    expect((await runSyncPass()).disputes).toEqual([
      expect.objectContaining({ outcome: "done", txHash }),
    ]);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
      disputeTx: txHash,
      closingBalance: (5n * TOKEN).toString(),
    });
    expect((await runSyncPass()).disputes).toEqual([]);
  });
});

describe("disputes removed by a reorg", () => {
  it.each([
    { name: "a done dispute", onTop: 2 },
    { name: "a dispute still gathering confirmations", onTop: 1 },
  ])("$name goes back to pending and is sent again", async ({ onTop }) => {
    const reader = onTop === 2 ? f.readers[1]! : f.readers[2]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [3n * TOKEN, 7n * TOKEN]);
    await closeAt(f, reader, openBlock, 1n * TOKEN);
    const before = await tokens(f, f.receiver.address);

    const first = (await runSyncPass()).disputes[0]!;
    expect(first.outcome).toBe("submitted");
    const firstTx = first.txHash as Hex;
    const minedIn = Number(
      (await f.publicClient.waitForTransactionReceipt({ hash: firstTx, pollingInterval: 50 }))
        .blockNumber,
    );
    await f.mine(onTop);
    await runSyncPass();
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: onTop === 2 ? "done" : "submitted",
    });
    expect((await tokens(f, f.receiver.address)) - before).toBe(7n * TOKEN);

    // The blocks from the dispute's on are replaced: the close request stays, the dispute is gone.
    await reorg((await head()) - minedIn + 1);
    await expect(f.publicClient.getTransactionReceipt({ hash: firstTx })).rejects.toThrow();
    expect((await tokens(f, f.receiver.address)) - before).toBe(0n);

    const pass = await runSyncPass();
    expect(pass.disputes).toEqual([
      expect.objectContaining({ outcome: "reopened", txHash: firstTx }),
      expect.objectContaining({ outcome: "submitted", balance: (7n * TOKEN).toString() }),
    ]);
    const secondTx = pass.disputes[1]!.txHash as Hex;
    expect(secondTx).not.toBe(firstTx);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      dispute: "submitted",
      disputeTx: secondTx,
    });

    await f.mine(2);
    const done = await runSyncPass();
    expect(done.disputes).toEqual([expect.objectContaining({ outcome: "done", txHash: secondTx })]);
    const row = await channelRow(reader.address, openBlock);
    expect(row).toMatchObject({ state: "settled", dispute: "done", disputeTx: secondTx });
    expect(row.closingBalance).toBe((7n * TOKEN).toString());
    expect((await tokens(f, f.receiver.address)) - before).toBe(7n * TOKEN);
  });
});
