import { describe, expect, it } from "vitest";
import type { Address, PublicClient } from "viem";
import {
  memoryChannelStore,
  planPayment,
  recoveredChannels,
  storedChannelSchema,
  channelToJson,
  RECOVERY_CHUNK_BLOCKS,
  type PayerChannel,
  type PayerEvent,
} from "@/lib/protocol/client";
import { recoverChannels } from "@/lib/protocol/client/recover";
import type { PayerContext } from "@/lib/protocol/client/payer-context";
import {
  buildChannel,
  buildTarget,
  chainId,
  contract,
  otherAccount,
  receiver,
  senderAccount,
  sessionAccount,
  token,
} from "./builders";

const sender = senderAccount.address;
const params = (signers: Address[] = [sender]) => ({
  chainId,
  contract,
  token,
  receiver,
  sender,
  signers,
  siteOrigin: "http://site.test",
});
const open = (deposit: bigint) => ({ deposit, settleBlock: 0, signer: sender });

describe("recoveredChannels", () => {
  it("turns each still-existing channel the store lost into an entry with balance 0", () => {
    const events = [
      { openBlock: 10, deposit: 50n, signer: sender },
      { openBlock: 20, deposit: 30n, signer: sender },
      { openBlock: 30, deposit: 40n, signer: sender },
    ];
    const infos = [
      open(80n), // topped up since: the deposit comes from chain
      null, // settled: getChannelInfo reverts
      { deposit: 40n, settleBlock: 900, signer: sender }, // closing
    ];
    expect(recoveredChannels(events, infos, [], params())).toEqual([
      buildChannel({ openBlock: 10, deposit: 80n, balanceUnknown: true }),
      buildChannel({
        openBlock: 30,
        deposit: 40n,
        state: "closing",
        settleBlock: 900,
        balanceUnknown: true,
      }),
    ]);
  });

  it("skips channels already in the store (their balance is kept)", () => {
    const known = [buildChannel({ openBlock: 10, balance: 25n, signature: "0x12" })];
    const events = [
      { openBlock: 10, deposit: 100n, signer: sender },
      { openBlock: 11, deposit: 100n, signer: sender },
    ];
    const out = recoveredChannels(events, [open(100n), open(100n)], known, params());
    expect(out.map((c) => c.openBlock)).toEqual([11]);
  });

  it("records a channel whose signer key the payer does not hold, flagged, never used to pay", () => {
    const events = [
      { openBlock: 10, deposit: 100n, signer: sessionAccount.address },
      { openBlock: 11, deposit: 100n, signer: otherAccount.address },
    ];
    const infos = [
      { ...open(100n), signer: sessionAccount.address },
      { ...open(100n), signer: otherAccount.address },
    ];
    // The sender alone: both are recorded with the flag.
    const lost = recoveredChannels(events, infos, [], params());
    const found = { signerUnavailable: true, balanceUnknown: true } as const;
    expect(lost).toEqual([
      buildChannel({ openBlock: 10, signer: sessionAccount.address, ...found }),
      buildChannel({ openBlock: 11, signer: otherAccount.address, ...found }),
    ]);
    expect(planPayment(lost, buildTarget(5n), {})).toEqual({ type: "open", deposit: 50n });
    // Even a payer that holds the key does not pay on a flagged channel.
    expect(planPayment(lost, buildTarget(5n, [sessionAccount.address, sender]), {}).type).toBe(
      "open",
    );

    // With the session key: that channel is usable, the other one is flagged.
    const held = recoveredChannels(events, infos, [], params([sessionAccount.address, sender]));
    expect(held[0]).toEqual(
      buildChannel({ openBlock: 10, signer: sessionAccount.address, balanceUnknown: true }),
    );
    expect(held[1]!.signerUnavailable).toBe(true);
    const plan = planPayment(held, buildTarget(5n, [sessionAccount.address, sender]), {});
    expect(plan).toMatchObject({ type: "use", channel: { openBlock: 10 } });

    // A flagged stored channel is unflagged once the payer holds its key again.
    const again = recoveredChannels(events, infos, lost, params([sessionAccount.address, sender]));
    expect(again).toEqual([
      buildChannel({ openBlock: 10, signer: sessionAccount.address, balanceUnknown: true }),
    ]);
  });

  it("the flag survives the JSON store form", () => {
    const c = buildChannel({ signer: sessionAccount.address, signerUnavailable: true });
    expect(storedChannelSchema.parse(channelToJson(c))).toEqual(c);
  });
});

describe("recoverChannels", () => {
  /** A context over a fake node: `head` blocks, ChannelCreated events, getChannelInfo answers. */
  function fakeContext(opts: {
    head: bigint;
    events: Array<{ openBlock: number; deposit: bigint; signer: Address }>;
    fromBlock?: bigint;
    known?: PayerChannel[];
  }) {
    const ranges: Array<[bigint, bigint]> = [];
    const emitted: PayerEvent[] = [];
    const publicClient = {
      getBlockNumber: async () => opts.head,
      getContractEvents: async (a: {
        args: { sender: Address; receiver: Address };
        fromBlock: bigint;
        toBlock: bigint;
      }) => {
        expect(a.args).toEqual({ sender, receiver });
        ranges.push([a.fromBlock, a.toBlock]);
        return opts.events
          .filter((e) => BigInt(e.openBlock) >= a.fromBlock && BigInt(e.openBlock) <= a.toBlock)
          .map((e) => ({
            args: {
              sender,
              receiver,
              openBlockNumber: e.openBlock,
              deposit: e.deposit,
              signer: e.signer,
            },
          }));
      },
      readContract: async (a: { functionName: string; args: [Address, Address, number] }) => {
        if (a.functionName === "token") return token;
        const e = opts.events.find((x) => x.openBlock === a.args[2])!;
        return ["0x", e.deposit, 0, 0n, 0n, e.signer];
      },
    } as unknown as PublicClient;
    const store = memoryChannelStore(opts.known);
    const ctx = {
      options: { fromBlock: opts.fromBlock },
      publicClient,
      store,
      sender,
      signers: [sender],
      emit: (e: PayerEvent) => emitted.push(e),
      save: async (c: PayerChannel) => {
        await store.put(c);
        return c;
      },
    } as unknown as PayerContext;
    return { ctx, ranges, emitted, store };
  }

  it("reads the logs in chunks from fromBlock to the head and stores what it finds", async () => {
    const { ctx, ranges, emitted, store } = fakeContext({
      head: 2n * RECOVERY_CHUNK_BLOCKS + 10n,
      fromBlock: 7n,
      events: [
        { openBlock: 12, deposit: 50n, signer: sender },
        { openBlock: 60_100, deposit: 70n, signer: sessionAccount.address },
      ],
    });
    const added = await recoverChannels(ctx, { contract, receiver, chainId });
    expect(ranges).toEqual([
      [7n, 7n + RECOVERY_CHUNK_BLOCKS - 1n],
      [7n + RECOVERY_CHUNK_BLOCKS, 7n + 2n * RECOVERY_CHUNK_BLOCKS - 1n],
      [7n + 2n * RECOVERY_CHUNK_BLOCKS, 2n * RECOVERY_CHUNK_BLOCKS + 10n],
    ]);
    expect(added.map((c) => [c.openBlock, c.deposit, c.token, c.signerUnavailable])).toEqual([
      [12, 50n, token, undefined],
      [60_100, 70n, token, true],
    ]);
    expect(await store.list()).toEqual(added);
    expect(emitted.map((e) => e.type)).toEqual(["channel-recovered", "channel-recovered"]);
  });
});
