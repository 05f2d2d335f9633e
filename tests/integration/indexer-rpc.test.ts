/**
 * The indexer behind a misbehaving RPC (a stand-in in front of a real anvil): logs served late by
 * a lagging node, logs of a fork the chain left, an event that moved to another block, and a log
 * endpoint that fails pass after pass. No close request is missed and the watchtower still
 * disputes in time.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { encodeFunctionData, numberToHex, type Hex, type PrivateKeyAccount } from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { resetChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { runSyncPass, syncOnce } from "@/lib/indexer";
import { eventFromRow } from "@/lib/indexer/events";
import { storeChunk } from "@/lib/indexer/store";
import { rpcError, startRpcStandIn, type RpcCall, type RpcStandIn } from "../helpers/rpc-standin";
import { startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { channelRow, openWithPayments, tokens } from "./watchtower-helpers";

let f: SiteFixture;
let rpc: RpcStandIn;

beforeAll(async () => {
  f = await startSiteFixture();
  rpc = await startRpcStandIn(f.rpcUrl);
  process.env.RPC_URL = rpc.url;
  resetEnv();
  resetChainConfig();
});
afterEach(() => {
  rpc.intercept = undefined;
});
afterAll(async () => {
  await f?.stop();
  await rpc?.close();
});

const head = async () => Number(await f.publicClient.getBlockNumber({ cacheTime: 0 }));

/** Signs the sender's uncooperativeClose without sending it (so it can be sent on two forks). */
async function signClose(reader: PrivateKeyAccount, openBlock: number, balance: bigint) {
  const w = f.wallet(reader);
  const request = await w.prepareTransactionRequest({
    to: f.deployment.contract,
    data: encodeFunctionData({
      abi: microTransferChannelsAbi,
      functionName: "uncooperativeClose",
      args: [f.receiver.address, openBlock, balance],
    }),
    gas: 200_000n,
  });
  return w.signTransaction(request);
}

/** Sends a signed transaction straight to anvil and returns the block it landed in. */
async function sendRaw(serialized: Hex): Promise<number> {
  const hash = await f.publicClient.sendRawTransaction({ serializedTransaction: serialized });
  const receipt = await f.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  expect(receipt.status).toBe("success");
  return Number(receipt.blockNumber);
}

const anvil = <T>(method: string, params: unknown[] = []) =>
  f.testClient.request({ method, params } as never) as Promise<T>;

const isGetLogs = (call: RpcCall) => call.method === "eth_getLogs";

describe("an RPC whose logs lag the head", () => {
  it("a close request the log node had not served yet is found on a later pass and disputed", async () => {
    const reader = f.readers[0]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
    const receiverBefore = await tokens(f, f.receiver.address);

    // The node answering eth_getLogs has not seen the next block yet; the one answering
    // eth_blockNumber and eth_getBlockByNumber has.
    const lagging = await head();
    rpc.intercept = async (call, forward) => {
      if (!isGetLogs(call)) return undefined;
      const reply = await forward(call);
      const logs = reply.result as Array<{ blockNumber: Hex }>;
      return { ...reply, result: logs.filter((l) => Number(BigInt(l.blockNumber)) <= lagging) };
    };
    const closeBlock = await sendRaw(await signClose(reader, openBlock, 2n * TOKEN));
    expect(closeBlock).toBe(lagging + 1);
    const first = await runSyncPass();
    expect(first.syncedBlock).toBe(closeBlock);
    expect((await channelRow(reader.address, openBlock)).state).toBe("open");

    // The node catches up; later passes re-read the blocks below the synced one.
    rpc.intercept = undefined;
    await f.mine(2);
    await runSyncPass();
    const disputed = await channelRow(reader.address, openBlock);
    expect(["submitted", "done"]).toContain(disputed.dispute);
    const receipt = await f.publicClient.getTransactionReceipt({
      hash: disputed.disputeTx as Hex,
    });
    expect(Number(receipt.blockNumber)).toBeLessThanOrEqual(disputed.settleBlock!);

    // Settled on chain at the receiver's balance, and the indexer sees it.
    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(5n * TOKEN);
    await runSyncPass();
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "settled",
      closingBalance: (5n * TOKEN).toString(),
    });
  });
});

describe("an RPC that mixes forks", () => {
  it("never stores logs of a fork the chain left (no phantom close)", async () => {
    const reader = f.readers[1]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [5n * TOKEN]);
    await runSyncPass();

    // Fork A: the sender closes in block n. The chain then switches to fork B, where block n
    // holds no close, but a stale node keeps serving fork A's logs.
    const snapshot = await anvil<Hex>("evm_snapshot");
    const n = await sendRaw(await signClose(reader, openBlock, 2n * TOKEN));
    const staleLogs = (await f.publicClient.request({
      method: "eth_getLogs",
      params: [
        { address: f.deployment.contract, fromBlock: numberToHex(n), toBlock: numberToHex(n) },
      ],
    })) as Array<{ blockNumber: Hex }>;
    expect(staleLogs.length).toBeGreaterThan(0);
    await anvil("evm_revert", [snapshot]);
    await f.mine(1);
    expect(await head()).toBe(n);

    rpc.intercept = async (call, forward) => {
      if (!isGetLogs(call)) return undefined;
      const reply = await forward(call);
      const filter = (call.params as Array<{ fromBlock: Hex; toBlock: Hex }>)[0]!;
      const inRange = staleLogs.filter(
        (l) =>
          BigInt(l.blockNumber) >= BigInt(filter.fromBlock) &&
          BigInt(l.blockNumber) <= BigInt(filter.toBlock),
      );
      return { ...reply, result: [...(reply.result as unknown[]), ...inRange] };
    };
    await expect(runSyncPass()).rejects.toThrow(/inconsistent answers .*block hash/);
    expect(
      await db().chainEvent.count({
        where: { sender: reader.address, openBlock, name: "ChannelCloseRequested" },
      }),
    ).toBe(0);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "open",
      dispute: null,
    });

    rpc.intercept = undefined;
    const pass = await runSyncPass();
    expect(pass.syncedBlock).toBe(n);
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "open",
      dispute: null,
    });
  });

  it("an event re-seen in another block rolls the old block back instead of being rewritten", async () => {
    const reader = f.readers[2]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [1n * TOKEN]);
    await runSyncPass();

    // Fork A: the close lands in block n and is indexed with n's hash.
    const snapshot = await anvil<Hex>("evm_snapshot");
    const close = await signClose(reader, openBlock, 2n * TOKEN);
    const n = await sendRaw(close);
    await syncOnce();
    const [before] = await db().chainEvent.findMany({
      where: { sender: reader.address, openBlock, name: "ChannelCloseRequested" },
    });
    expect(before).toMatchObject({ blockNumber: n });

    // Fork B: block n is empty and the same transaction lands in block n + 1. A stale node still
    // answers block n with fork A's hash the first time it is asked.
    await anvil("evm_revert", [snapshot]);
    await f.mine(1);
    expect(await sendRaw(close)).toBe(n + 1);
    let stale = true;
    rpc.intercept = async (call, forward) => {
      if (call.method !== "eth_getBlockByNumber" || !stale) return undefined;
      if (BigInt((call.params as [Hex])[0]) !== BigInt(n)) return undefined;
      stale = false;
      const reply = await forward(call);
      return { ...reply, result: { ...(reply.result as object), hash: before!.blockHash } };
    };
    const result = await syncOnce();
    expect(result.reorg).toEqual({ fromBlock: n });
    const after = await db().chainEvent.findMany({
      where: { sender: reader.address, openBlock, name: "ChannelCloseRequested" },
    });
    const canonical = async (b: number) =>
      (await f.publicClient.getBlock({ blockNumber: BigInt(b) })).hash;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ blockNumber: n + 1, blockHash: await canonical(n + 1) });
    expect(after[0]!.id).not.toBe(before!.id);
    const recordedN = await db().indexedBlock.findUnique({ where: { number: n } });
    if (recordedN) expect(recordedN.hash).toBe(await canonical(n));
    expect((await channelRow(reader.address, openBlock)).state).toBe("closing");
  });
});

describe("a log endpoint that keeps failing", () => {
  it("channels already known to be closing are still disputed; the pass still fails", async () => {
    const reader = f.readers[3]!;
    const openBlock = await openWithPayments(f, reader, 10n * TOKEN, [6n * TOKEN]);
    await runSyncPass();
    const receiverBefore = await tokens(f, f.receiver.address);
    await sendRaw(await signClose(reader, openBlock, 1n * TOKEN));
    await syncOnce(); // the close is indexed, the watchtower has not run yet
    expect(await channelRow(reader.address, openBlock)).toMatchObject({
      state: "closing",
      dispute: null,
    });

    rpc.intercept = (call) =>
      isGetLogs(call) ? rpcError(call, "logs are unavailable") : undefined;
    await f.mine(1); // a new block to index: every pass asks for logs and fails
    await expect(runSyncPass()).rejects.toThrow(/logs are unavailable/);
    expect(["submitted", "done"]).toContain((await channelRow(reader.address, openBlock)).dispute);
    await expect(runSyncPass()).rejects.toThrow(/logs are unavailable/);
    // Settled on chain at the accepted balance although no log could be read.
    expect((await tokens(f, f.receiver.address)) - receiverBefore).toBe(6n * TOKEN);
    await expect(
      f.publicClient.readContract({
        address: f.deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "getChannelInfo",
        args: [reader.address, f.receiver.address, openBlock],
      }),
    ).rejects.toThrow();
  });
});

describe("storing events", () => {
  it("never rewrites a stored event's block: the same event in another block is refused", async () => {
    const row = await db().chainEvent.findFirstOrThrow({ orderBy: { id: "asc" } });
    const { syncedBlock } = await db().syncState.findUniqueOrThrow({ where: { id: 1 } });
    const moved = {
      ...eventFromRow(row),
      blockNumber: row.blockNumber + 1,
      blockHash: `0x${"ee".repeat(32)}` as Hex,
    };
    await expect(
      storeChunk([moved], [{ number: moved.blockNumber, hash: moved.blockHash }], syncedBlock + 1),
    ).rejects.toThrow(/is stored in block \d+ .* but was fetched in block/);
    expect(await db().chainEvent.findUniqueOrThrow({ where: { id: row.id } })).toEqual(row);
    expect((await db().syncState.findUniqueOrThrow({ where: { id: 1 } })).syncedBlock).toBe(
      syncedBlock,
    );
  });
});
