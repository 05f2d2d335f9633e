/**
 * The receiver's transaction queue asks its fence (does this instance still lead?) right before
 * each transaction leaves: a refused send broadcasts nothing, records nothing and keeps its nonce
 * free. No chain: the clients are stand-ins that record what reaches them.
 */
import { describe, expect, it, vi } from "vitest";
import { keccak256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { ChainConfig } from "@/lib/chain/config";
import { TxQueue } from "@/lib/chain/tx-queue";

const receiver = privateKeyToAccount(`0x${"11".repeat(32)}`);
const SIGNED: Hex = "0x02f86b";

function standIn() {
  const sendRawTransaction = vi.fn(async () => keccak256(SIGNED));
  const signTransaction = vi.fn(async () => SIGNED);
  let pending = 7;
  const cfg = {
    receiver,
    chain: { id: 31337 },
    publicClient: {
      estimateGas: async () => 21_000n,
      estimateFeesPerGas: async () => ({ maxFeePerGas: 10n, maxPriorityFeePerGas: 1n }),
      getBalance: async () => 10n ** 18n,
      getTransactionCount: async () => pending,
      getTransaction: async ({ hash }: { hash: Hex }) => ({ hash }),
    },
    walletClient: { signTransaction, sendRawTransaction },
  } as unknown as ChainConfig;
  return { cfg, sendRawTransaction, mine: () => (pending += 1) };
}

const request = { to: receiver.address, data: "0x" as Hex };

describe("TxQueue fence", () => {
  it("sends nothing, and calls no beforeBroadcast, when this instance no longer leads", async () => {
    const { cfg, sendRawTransaction } = standIn();
    let leads = true;
    const fence = vi.fn(async () => leads);
    const queue = new TxQueue(cfg, fence);
    const beforeBroadcast = vi.fn(async () => true);

    const sent = await queue.send(request, { beforeBroadcast });
    expect(sent).toMatchObject({ type: "sent", tx: { nonce: 7 } });
    expect(sendRawTransaction).toHaveBeenCalledTimes(1);

    leads = false; // the lock went: another instance may be sending as the receiver now
    const refused = await queue.send(request, { beforeBroadcast });
    expect(refused).toEqual({ type: "failed", error: expect.stringMatching(/leader lock/) });
    expect(sendRawTransaction).toHaveBeenCalledTimes(1);
    expect(beforeBroadcast).toHaveBeenCalledTimes(1);
    expect(fence).toHaveBeenCalledTimes(2);
  });

  it("treats a fence that fails (the database is unreachable) as not leading", async () => {
    const { cfg, sendRawTransaction } = standIn();
    const queue = new TxQueue(cfg, () => Promise.reject(new Error("connection terminated")));
    expect(await queue.send(request)).toEqual({
      type: "failed",
      error: expect.stringMatching(/leader lock/),
    });
    expect(sendRawTransaction).not.toHaveBeenCalled();
  });

  it("keeps a refused send's nonce free for the next one", async () => {
    const { cfg, mine } = standIn();
    let leads = false;
    const queue = new TxQueue(cfg, async () => leads);
    expect(await queue.send(request)).toMatchObject({ type: "failed", error: /leader lock/ });
    leads = true;
    expect(await queue.send(request)).toMatchObject({ type: "sent", tx: { nonce: 7 } });
    mine();
    expect(await queue.send(request)).toMatchObject({ type: "sent", tx: { nonce: 8 } });
  });
});
