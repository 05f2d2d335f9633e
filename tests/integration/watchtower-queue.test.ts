/**
 * Every receiver transaction goes through one queue that owns the nonce: withdrawals and
 * disputes started together all get mined, and a nonce whose transaction the node dropped is
 * handed out again instead of leaving a gap.
 */
import { expect, it } from "vitest";
import type { Hex } from "viem";
import { runSyncPass, syncOnce } from "@/lib/indexer";
import { runWatchtower, withdrawChannels } from "@/lib/watchtower";
import { TOKEN, type SiteFixture } from "../helpers/site-fixture";
import {
  channelRow,
  closeAt,
  known,
  openWithPayments,
  setupManualMiningSite,
  tokens,
} from "./watchtower-helpers";

let f: SiteFixture;
setupManualMiningSite((site) => {
  f = site;
});

it("withdrawals and disputes started concurrently all get mined, each at its own nonce", async () => {
  const [a, b, c, d] = f.readers;
  // Two open channels owing 3 and 4, two closing ones to dispute at 5 and 6.
  await openWithPayments(f, a!, 10n * TOKEN, [3n * TOKEN]);
  await openWithPayments(f, b!, 10n * TOKEN, [4n * TOKEN]);
  const disputeOn = [
    await openWithPayments(f, c!, 10n * TOKEN, [5n * TOKEN]),
    await openWithPayments(f, d!, 10n * TOKEN, [6n * TOKEN]),
  ];
  await closeAt(f, c!, disputeOn[0]!, 0n);
  await closeAt(f, d!, disputeOn[1]!, 1n * TOKEN);
  await syncOnce(); // indexes the closes without disputing them yet
  const before = await tokens(f, f.receiver.address);

  const [withdrawals, disputes] = await Promise.all([
    withdrawChannels({ minimum: 1n }),
    runWatchtower(),
  ]);
  expect(withdrawals.map((w) => w.amount).sort()).toEqual([3n * TOKEN, 4n * TOKEN]);
  expect(disputes).toHaveLength(2);
  expect(disputes.map((r) => `${r.outcome} ${r.error ?? ""}`)).toEqual([
    "submitted ",
    "submitted ",
  ]);

  const hashes = [...withdrawals.map((w) => w.txHash), ...disputes.map((r) => r.txHash as Hex)];
  const receipts = await Promise.all(
    hashes.map((hash) => f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })),
  );
  expect(receipts.map((r) => r.status)).toEqual(["success", "success", "success", "success"]);
  const nonces = await Promise.all(
    hashes.map(async (hash) => (await f.publicClient.getTransaction({ hash })).nonce),
  );
  expect(new Set(nonces).size).toBe(4);

  await runSyncPass();
  for (const [reader, openBlock, balance] of [
    [c!, disputeOn[0]!, 5n],
    [d!, disputeOn[1]!, 6n],
  ] as const)
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
      closingBalance: (balance * TOKEN).toString(),
    });
  expect((await tokens(f, f.receiver.address)) - before).toBe((3n + 4n + 5n + 6n) * TOKEN);
});

it("a nonce whose transaction the node dropped is used again, so later transactions are not stuck", async () => {
  const [reader, payer] = [f.readers[4]!, f.readers[5]!];
  const disputed = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
  const withdrawn = await openWithPayments(f, payer, 10n * TOKEN, [2n * TOKEN]);
  await closeAt(f, reader, disputed, 0n);
  await f.testClient.setAutomine(false);

  const [sent] = (await runSyncPass()).disputes.filter((r) => r.sender === reader.address);
  expect(sent).toMatchObject({ outcome: "submitted" });
  const dropped = sent!.txHash as Hex;
  const nonce = (await f.publicClient.getTransaction({ hash: dropped })).nonce;
  await f.testClient.request({ method: "anvil_dropTransaction", params: [dropped] } as never);
  expect(await known(f, dropped)).toBe(false);

  // The withdrawal takes the freed nonce; with the next one it would wait behind a gap forever.
  const withdrawal = withdrawChannels({ minimum: 1n });
  let result: Awaited<typeof withdrawal> | undefined;
  void withdrawal.then((r) => (result = r));
  for (let i = 0; i < 100 && !result; i++) {
    await new Promise((r) => setTimeout(r, 100));
    await f.mine(1);
  }
  expect(result).toEqual([expect.objectContaining({ sender: payer.address, amount: 2n * TOKEN })]);
  expect((await f.publicClient.getTransaction({ hash: result![0]!.txHash })).nonce).toBe(nonce);
  expect(withdrawn).toBeGreaterThan(0);

  // The dispute notices its transaction is gone and goes out again at the next free nonce.
  const again = (await runSyncPass()).disputes.filter((r) => r.sender === reader.address);
  expect(again).toEqual([
    expect.objectContaining({ outcome: "reopened", txHash: dropped }),
    expect.objectContaining({ outcome: "submitted" }),
  ]);
  const resent = again[1]!.txHash as Hex;
  expect((await f.publicClient.getTransaction({ hash: resent })).nonce).toBe(nonce + 1);
  await f.mine(1);
  expect((await runSyncPass()).disputes.filter((r) => r.sender === reader.address)).toEqual([
    expect.objectContaining({ outcome: "done", txHash: resent }),
  ]);
  expect(await channelRow(reader.address, disputed)).toMatchObject({
    state: "settled",
    dispute: "done",
  });
});
