/**
 * The watchtower against a real anvil chain: a sender who closes below the last accepted balance
 * is answered with cooperativeClose at the accepted balance, also after running out of ETH or a
 * restart; honest closes are left alone; withdrawals move exactly what is owed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEther, type Address, type PrivateKeyAccount } from "viem";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { resetChainConfig } from "@/lib/chain/config";
import { db, resetDb } from "@/lib/db/client";
import { runSyncPass, syncOnce } from "@/lib/indexer";
import { channelDomain, signBalanceProof } from "@/lib/protocol";
import { withdrawChannels } from "@/lib/watchtower";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";

let f: SiteFixture;

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => {
  await f?.stop();
});

const channel = (sender: Address, openBlock: number) =>
  db().channel.findUniqueOrThrow({ where: { sender_openBlock: { sender, openBlock } } });

const tokens = (who: Address) =>
  f.publicClient.readContract({
    address: f.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [who],
  });

/** Opens and indexes a channel, then records `accepted` as the paywall would (real proof). */
async function openWithPayment(
  reader: PrivateKeyAccount,
  deposit: bigint,
  accepted: bigint,
): Promise<number> {
  const openBlock = await f.openChannel(reader, deposit);
  await syncOnce();
  const domain = channelDomain({ chainId: f.deployment.chainId, contract: f.deployment.contract });
  const message = {
    sender: reader.address,
    receiver: f.receiver.address,
    openBlockNumber: openBlock,
    balance: accepted,
  };
  const signature = await signBalanceProof({ account: reader, domain, message });
  await db().channel.update({
    where: { sender_openBlock: { sender: reader.address, openBlock } },
    data: { balance: accepted.toString(), signature },
  });
  return openBlock;
}

async function closeAt(
  reader: PrivateKeyAccount,
  openBlock: number,
  balance: bigint,
): Promise<void> {
  const w = f.wallet(reader);
  const hash = await w.writeContract({
    address: f.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "uncooperativeClose",
    args: [f.receiver.address, openBlock, balance],
  });
  expect(
    (await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 })).status,
  ).toBe("success");
}

describe("disputes", () => {
  it("a close below the accepted balance is disputed: receiver +5, reader +5, settled", async () => {
    const reader = f.readers[0]!;
    const openBlock = await openWithPayment(reader, 10n * TOKEN, 5n * TOKEN);
    await closeAt(reader, openBlock, 3n * TOKEN);
    const [receiverBefore, readerBefore] = await Promise.all([
      tokens(f.receiver.address),
      tokens(reader.address),
    ]);

    const first = await runSyncPass();
    expect(first.disputes).toEqual([
      expect.objectContaining({ sender: reader.address, openBlock, outcome: "submitted" }),
    ]);
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: "submitted",
    });
    const again = await runSyncPass();
    expect(again.disputes).toEqual([expect.objectContaining({ outcome: "done" })]);
    await runSyncPass();

    expect((await tokens(f.receiver.address)) - receiverBefore).toBe(5n * TOKEN);
    expect((await tokens(reader.address)) - readerBefore).toBe(5n * TOKEN);
    const final = await channel(reader.address, openBlock);
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
    const openBlock = await openWithPayment(reader, 10n * TOKEN, 5n * TOKEN);
    await closeAt(reader, openBlock, 5n * TOKEN);
    expect((await runSyncPass()).disputes).toEqual([]);
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: null,
    });
  });

  it("without ETH the dispute waits as no-eth and goes out once ETH is back", async () => {
    const reader = f.readers[2]!;
    const openBlock = await openWithPayment(reader, 10n * TOKEN, 6n * TOKEN);
    await closeAt(reader, openBlock, 1n * TOKEN);
    const eth = await f.publicClient.getBalance({ address: f.receiver.address });
    await f.testClient.setBalance({ address: f.receiver.address, value: 0n });

    const broke = await runSyncPass();
    expect(broke.disputes).toEqual([expect.objectContaining({ outcome: "no-eth" })]);
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: "no-eth",
      disputeTx: null,
    });
    expect((await channel(reader.address, openBlock)).disputeError).toBeTruthy();
    expect((await runSyncPass()).disputes).toEqual([]); // still no ETH: waits quietly

    await f.testClient.setBalance({ address: f.receiver.address, value: eth });
    const receiverBefore = await tokens(f.receiver.address);
    expect((await runSyncPass()).disputes).toEqual([
      expect.objectContaining({ outcome: "submitted" }),
    ]);
    await runSyncPass();
    await runSyncPass();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
    });
    expect((await tokens(f.receiver.address)) - receiverBefore).toBe(6n * TOKEN);
  });

  it("a restart in the middle of the challenge period still disputes before the settle block", async () => {
    const reader = f.readers[3]!;
    const openBlock = await openWithPayment(reader, 10n * TOKEN, 4n * TOKEN);
    await closeAt(reader, openBlock, 0n);
    await f.mine(100);
    // The server "restarts": fresh clients, state only from the database.
    await resetDb();
    resetChainConfig();
    const receiverBefore = await tokens(f.receiver.address);
    const pass = await runSyncPass();
    expect(pass.disputes).toEqual([expect.objectContaining({ outcome: "submitted" })]);
    const closing = await channel(reader.address, openBlock);
    expect(pass.headBlock).toBeLessThan(closing.settleBlock!);
    await runSyncPass();
    await runSyncPass();
    expect(await channel(reader.address, openBlock)).toMatchObject({
      state: "settled",
      dispute: "done",
    });
    expect((await tokens(f.receiver.address)) - receiverBefore).toBe(4n * TOKEN);
  });
});

describe("withdrawChannels", () => {
  it("transfers exactly balance − withdrawn, and nothing below the minimum", async () => {
    const reader = f.readers[4]!;
    const openBlock = await openWithPayment(reader, 10n * TOKEN, 4n * TOKEN);
    const before = await tokens(f.receiver.address);
    const first = await withdrawChannels({ minimum: TOKEN });
    expect(first).toEqual([
      {
        sender: reader.address,
        openBlock,
        amount: 4n * TOKEN,
        txHash: expect.stringMatching(/^0x/),
      },
    ]);
    expect((await tokens(f.receiver.address)) - before).toBe(4n * TOKEN);
    await syncOnce();
    expect((await channel(reader.address, openBlock)).withdrawn).toBe((4n * TOKEN).toString());

    const domain = channelDomain({
      chainId: f.deployment.chainId,
      contract: f.deployment.contract,
    });
    const balance = 7n * TOKEN;
    const signature = await signBalanceProof({
      account: reader,
      domain,
      message: {
        sender: reader.address,
        receiver: f.receiver.address,
        openBlockNumber: openBlock,
        balance,
      },
    });
    await db().channel.update({
      where: { sender_openBlock: { sender: reader.address, openBlock } },
      data: { balance: balance.toString(), signature },
    });
    expect(await withdrawChannels({ minimum: 4n * TOKEN })).toEqual([]);
    const second = await withdrawChannels({ minimum: parseEther("1") });
    expect(second.map((w) => w.amount)).toEqual([3n * TOKEN]);
    expect((await tokens(f.receiver.address)) - before).toBe(7n * TOKEN);
  });
});
