/**
 * When the last accepted proof exceeds the channel's on-chain deposit (a wrong stored deposit, or
 * a reorg that shrank it), the dispute falls back to the highest stored proof that fits.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { runSyncPass } from "@/lib/indexer";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { channelRow, closeAt, openWithPayments, tokens } from "./watchtower-helpers";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => {
  await f?.stop();
});

const pass = async (sender: string) =>
  (await runSyncPass()).disputes.filter((d) => d.sender === sender);

it("disputes at the highest stored proof within the on-chain deposit", async () => {
  const reader = f.readers[0]!;
  // 10 on chain; the database believed 20 and accepted payments up to 12.
  const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [
    2n * TOKEN,
    4n * TOKEN,
    6n * TOKEN,
    9n * TOKEN,
    11n * TOKEN,
    12n * TOKEN,
  ]);
  await db().channel.update({
    where: { sender_openBlock: { sender: reader.address, openBlock } },
    data: { deposit: (20n * TOKEN).toString() },
  });
  await closeAt(f, reader, openBlock, 1n * TOKEN);
  const [receiverBefore, readerBefore] = [
    await tokens(f, f.receiver.address),
    await tokens(f, reader.address),
  ];

  const first = await pass(reader.address);
  expect(first).toEqual([
    expect.objectContaining({ outcome: "submitted", balance: (9n * TOKEN).toString() }),
  ]);
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    dispute: "submitted",
    disputeBalance: (9n * TOKEN).toString(),
    balance: (12n * TOKEN).toString(), // the accepted proof itself is kept
  });
  expect(await pass(reader.address)).toEqual([expect.objectContaining({ outcome: "done" })]);
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    state: "settled",
    dispute: "done",
    closingBalance: (9n * TOKEN).toString(),
  });
  expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(9n * TOKEN);
  expect((await tokens(f, reader.address)) - readerBefore).toBe(1n * TOKEN);
  // Every stored proof is still there.
  expect(
    await db().payment.count({ where: { channel: { sender: reader.address, openBlock } } }),
  ).toBe(6);
});

it("without a stored proof that fits and beats the announced balance, it fails and says why", async () => {
  const reader = f.readers[1]!;
  const openBlock = await openWithPayments(f, reader, 5n * TOKEN, [1n * TOKEN, 8n * TOKEN]);
  await closeAt(f, reader, openBlock, 2n * TOKEN);

  const reports = await pass(reader.address);
  expect(reports).toEqual([expect.objectContaining({ outcome: "failed" })]);
  expect(reports[0]!.error).toContain("no stored proof fits the on-chain deposit");
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    state: "closing",
    dispute: "pending",
    disputeTx: null,
  });
  expect((await channelRow(reader.address, openBlock)).disputeError).toContain(
    (5n * TOKEN).toString(),
  );
});
