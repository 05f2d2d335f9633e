/**
 * A dispute that is not mined is replaced at its nonce with higher fees, harder as the settle
 * block nears, never above MAX_FEE_PER_GAS_WEI, and the channel still settles at the receiver's
 * balance before the settle block. Automine is off: blocks are mined by the test.
 */
import { expect, it } from "vitest";
import type { Hex } from "viem";
import { resetEnv } from "@/lib/env";
import { runSyncPass } from "@/lib/indexer";
import { TOKEN, type SiteFixture } from "../helpers/site-fixture";
import {
  channelRow,
  closeAt,
  holdBack,
  known,
  openWithPayments,
  setupManualMiningSite,
  tokens,
  txInfo,
} from "./watchtower-helpers";

let f: SiteFixture;
setupManualMiningSite((site) => {
  f = site;
});

const setCap = (wei: bigint) => {
  process.env.MAX_FEE_PER_GAS_WEI = wei.toString();
  resetEnv();
};
/** This channel's reports of one pass (a failed earlier case must not leak into the next). */
const pass = async (sender: string) =>
  (await runSyncPass()).disputes.filter((d) => d.sender === sender);
const head = async () => Number(await f.publicClient.getBlockNumber({ cacheTime: 0 }));
/** a ≥ b × 1.125 */
const bumpedEnough = (a: bigint, b: bigint) => a * 1000n >= b * 1125n;

it("an unmined dispute is replaced at the same nonce with rising fees up to the cap, then settles", async () => {
  const reader = f.readers[0]!;
  const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [2n * TOKEN, 6n * TOKEN]);
  await closeAt(f, reader, openBlock, 1n * TOKEN);
  const before = await tokens(f, f.receiver.address);
  await f.testClient.setAutomine(false);

  const first = await pass(reader.address);
  expect(first).toEqual([expect.objectContaining({ outcome: "submitted" })]);
  const sent: Hex[] = [first[0]!.txHash as Hex];
  const tx1 = await txInfo(f, sent[0]!);
  expect(tx1.blockNumber).toBeNull();
  // A cap three times the first fee leaves room for a few replacements, not for unlimited ones.
  const cap = tx1.maxFeePerGas * 3n;
  setCap(cap);

  // Far from the settle block: 2 blocks unmined is still patience, the 3rd brings +12.5 %.
  await holdBack(f, sent[0]!, 2);
  expect(await pass(reader.address)).toEqual([]);
  await holdBack(f, sent[0]!, 1);
  const second = await pass(reader.address);
  expect(second).toEqual([expect.objectContaining({ outcome: "replaced" })]);
  sent.push(second[0]!.txHash as Hex);
  const tx2 = await txInfo(f, sent[1]!);
  expect(tx2.nonce).toBe(tx1.nonce);
  expect(bumpedEnough(tx2.maxFeePerGas, tx1.maxFeePerGas)).toBe(true);
  expect(bumpedEnough(tx2.maxPriorityFeePerGas, tx1.maxPriorityFeePerGas)).toBe(true);
  expect(await known(f, sent[0]!)).toBe(false); // the node swapped it for the replacement
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    dispute: "submitted",
    disputeTx: sent[1],
    disputeNonce: tx1.nonce,
    disputeFee: tx2.maxFeePerGas.toString(),
    disputePrevTxs: JSON.stringify([sent[0]]),
  });

  // Close to the settle block: replaced after every unmined block, doubling up to the cap.
  const { settleBlock } = await channelRow(reader.address, openBlock);
  await holdBack(f, sent[1]!, settleBlock! - (await head()) - 15);
  let fee = tx2.maxFeePerGas;
  for (let i = 0; i < 5; i++) {
    const reports = await pass(reader.address);
    const latest = sent[sent.length - 1]!;
    if (reports[0]?.outcome === "fee-capped") {
      expect(reports).toEqual([expect.objectContaining({ outcome: "fee-capped", txHash: latest })]);
      expect(fee).toBe(cap);
      break;
    }
    expect(reports).toEqual([expect.objectContaining({ outcome: "replaced" })]);
    sent.push(reports[0]!.txHash as Hex);
    const tx = await txInfo(f, sent[sent.length - 1]!);
    expect(tx.nonce).toBe(tx1.nonce);
    expect(bumpedEnough(tx.maxFeePerGas, fee)).toBe(true);
    expect(tx.maxFeePerGas).toBeLessThanOrEqual(cap);
    fee = tx.maxFeePerGas;
    await holdBack(f, sent[sent.length - 1]!, 1);
  }
  expect(fee).toBe(cap);
  expect(sent.length).toBeGreaterThanOrEqual(4);

  // The chain clears: the last replacement is mined before the settle block.
  await f.mine(1);
  const done = await pass(reader.address);
  expect(done).toEqual([
    expect.objectContaining({ outcome: "done", txHash: sent[sent.length - 1] }),
  ]);
  const receipt = await f.publicClient.getTransactionReceipt({ hash: sent[sent.length - 1]! });
  expect(Number(receipt.blockNumber)).toBeLessThanOrEqual(settleBlock!);
  expect(receipt.effectiveGasPrice).toBeLessThanOrEqual(cap);
  for (const hash of sent.slice(0, -1)) expect(await known(f, hash)).toBe(false);
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    state: "settled",
    dispute: "done",
    closingBalance: (6n * TOKEN).toString(),
  });
  expect((await tokens(f, f.receiver.address)) - before).toBe(6n * TOKEN);
});

it("a dispute the pool dropped (underpriced after a base fee jump) goes out again at its nonce with a higher fee", async () => {
  const reader = f.readers[1]!;
  const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [4n * TOKEN]);
  await closeAt(f, reader, openBlock, 0n);
  const before = await tokens(f, f.receiver.address);
  setCap(500n * 10n ** 9n);
  await f.testClient.setAutomine(false);

  const first = await pass(reader.address);
  expect(first).toEqual([expect.objectContaining({ outcome: "submitted" })]);
  const firstTx = first[0]!.txHash as Hex;
  const tx1 = await txInfo(f, firstTx);
  // The next block's base fee jumps above the dispute's max fee: the node drops it.
  await f.testClient.request({
    method: "anvil_setNextBlockBaseFeePerGas",
    params: [`0x${(tx1.maxFeePerGas * 2n).toString(16)}`],
  } as never);
  await f.mine(1);
  expect(await known(f, firstTx)).toBe(false);

  const again = await pass(reader.address);
  expect(again).toEqual([
    expect.objectContaining({ outcome: "reopened", txHash: firstTx }),
    expect.objectContaining({ outcome: "submitted" }),
  ]);
  const secondTx = again[1]!.txHash as Hex;
  const tx2 = await txInfo(f, secondTx);
  expect(tx2.nonce).toBe(tx1.nonce);
  expect(bumpedEnough(tx2.maxFeePerGas, tx1.maxFeePerGas)).toBe(true);
  expect(tx2.maxFeePerGas).toBeGreaterThan(tx1.maxFeePerGas * 2n); // priced for the new base fee

  await f.mine(1);
  expect(await pass(reader.address)).toEqual([
    expect.objectContaining({ outcome: "done", txHash: secondTx }),
  ]);
  expect(await channelRow(reader.address, openBlock)).toMatchObject({
    state: "settled",
    dispute: "done",
  });
  expect((await tokens(f, f.receiver.address)) - before).toBe(4n * TOKEN);
});
