/**
 * Shared steps of the watchtower suites: open a channel with accepted payments as the paywall
 * records them (real proofs), close it as a cheating sender, hold a transaction back from blocks.
 */
import { afterEach, expect } from "vitest";
import type { Address, Hex, PrivateKeyAccount } from "viem";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { db } from "@/lib/db/client";
import { syncOnce } from "@/lib/indexer";
import { channelDomain, signBalanceProof } from "@/lib/protocol";
import { setupSiteFixture, type SiteFixture } from "../helpers/site-fixture";

/**
 * The site of a suite whose tests turn automine off: started before the file's tests (handed to
 * `onStart`), automine back on after each test, stopped after all of them.
 */
export function setupManualMiningSite(onStart: (f: SiteFixture) => void): void {
  let site: SiteFixture | undefined;
  setupSiteFixture((s) => {
    site = s;
    onStart(s);
  });
  afterEach(async () => {
    await site!.testClient.setAutomine(true);
  });
}

/** The stored channel row. */
export const channelRow = (sender: Address, openBlock: number) =>
  db().channel.findUniqueOrThrow({ where: { sender_openBlock: { sender, openBlock } } });

/** Token balance of `who`. */
export const tokens = (f: SiteFixture, who: Address) =>
  f.publicClient.readContract({
    address: f.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [who],
  });

/** A BalanceProof signed by `reader` for its channel. */
export function signProof(
  f: SiteFixture,
  reader: PrivateKeyAccount,
  openBlock: number,
  balance: bigint,
): Promise<Hex> {
  const domain = channelDomain({ chainId: f.deployment.chainId, contract: f.deployment.contract });
  return signBalanceProof({
    account: reader,
    domain,
    message: {
      sender: reader.address,
      receiver: f.receiver.address,
      openBlockNumber: openBlock,
      balance,
    },
  });
}

/**
 * Opens and indexes a channel, stores one Payment row per balance in `payments` and makes
 * `accepted` (default: the last payment) the channel's last accepted proof.
 */
export async function openWithPayments(
  f: SiteFixture,
  reader: PrivateKeyAccount,
  deposit: bigint,
  payments: bigint[],
  accepted: bigint = payments[payments.length - 1]!,
): Promise<number> {
  const openBlock = await f.openChannel(reader, deposit);
  await syncOnce();
  const row = await channelRow(reader.address, openBlock);
  let previous = 0n;
  for (const balance of payments) {
    await db().payment.create({
      data: {
        channelId: row.id,
        resource: `/articles/${balance}`,
        amount: (balance - previous).toString(),
        balance: balance.toString(),
        signature: await signProof(f, reader, openBlock, balance),
      },
    });
    previous = balance;
  }
  await db().channel.update({
    where: { id: row.id },
    data: {
      balance: accepted.toString(),
      signature: await signProof(f, reader, openBlock, accepted),
    },
  });
  return openBlock;
}

/** The sender closes its channel announcing `balance` (mined at once: automine must be on). */
export async function closeAt(
  f: SiteFixture,
  reader: PrivateKeyAccount,
  openBlock: number,
  balance: bigint,
): Promise<void> {
  const hash = await f.wallet(reader).writeContract({
    address: f.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "uncooperativeClose",
    args: [f.receiver.address, openBlock, balance],
  });
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  expect(receipt.status).toBe("success");
}

/**
 * Keeps a pool transaction out of the next `blocks` blocks, as a congested chain would: the node
 * forgets it while the blocks are mined, then receives the same signed bytes again. Seen from the
 * receiver it stayed pending, unmined, for `blocks` blocks. Automine must be off.
 */
export async function holdBack(f: SiteFixture, hash: Hex, blocks: number): Promise<void> {
  const raw = (await f.publicClient.request({
    method: "eth_getRawTransactionByHash",
    params: [hash],
  } as never)) as Hex | null;
  expect(raw, `transaction ${hash} is not in the pool`).toBeTruthy();
  await f.testClient.request({ method: "anvil_dropTransaction", params: [hash] } as never);
  await f.mine(blocks);
  await f.publicClient.request({ method: "eth_sendRawTransaction", params: [raw!] });
}

/** The fees, nonce and block of a transaction as the node reports it. */
export async function txInfo(f: SiteFixture, hash: Hex) {
  const tx = await f.publicClient.getTransaction({ hash });
  return {
    nonce: tx.nonce,
    maxFeePerGas: tx.maxFeePerGas!,
    maxPriorityFeePerGas: tx.maxPriorityFeePerGas!,
    blockNumber: tx.blockNumber,
  };
}

/** Whether the node knows `hash` at all (pool or chain). */
export const known = (f: SiteFixture, hash: Hex) =>
  f.publicClient.getTransaction({ hash }).then(
    () => true,
    () => false,
  );
