import { describe, expect, it } from "vitest";
import { encodeAbiParameters, encodeEventTopics, type Hex } from "viem";
import { microTransferChannelsAbi } from "@/lib/chain/abi";
import { decodeChannelLog, eventFromRow, type RpcLog } from "@/lib/indexer/events";
import { channelEventTopics } from "@/lib/indexer/fetch-events";
import { SENDER, SESSION_KEY } from "./builders";

const RECEIVER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const TX = `0x${"ab".repeat(32)}` as Hex;
const HASH = `0x${"cd".repeat(32)}` as Hex;

function buildLog(overrides: Partial<RpcLog> = {}): RpcLog {
  const topics = encodeEventTopics({
    abi: microTransferChannelsAbi,
    eventName: "ChannelCreated",
    args: { sender: SENDER, receiver: RECEIVER, openBlockNumber: 100 },
  }) as Hex[];
  const data = encodeAbiParameters(
    [{ type: "uint192" }, { type: "address" }],
    [10n ** 19n, SESSION_KEY],
  );
  return {
    address: RECEIVER,
    topics,
    data,
    blockNumber: "0x64",
    blockHash: HASH,
    transactionHash: TX,
    logIndex: "0x2",
    ...overrides,
  };
}

describe("decodeChannelLog", () => {
  it("decodes ChannelCreated into the stored shape", () => {
    expect(decodeChannelLog(buildLog())).toEqual({
      name: "ChannelCreated",
      blockNumber: 100,
      blockHash: HASH,
      logIndex: 2,
      txHash: TX,
      sender: SENDER,
      openBlock: 100,
      args: { deposit: "10000000000000000000", signer: SESSION_KEY },
    });
  });

  it.each([
    { name: "a pending log", log: buildLog({ blockNumber: null }) },
    { name: "a removed log", log: buildLog({ removed: true }) },
    { name: "an unknown event", log: buildLog({ topics: [`0x${"11".repeat(32)}`] }) },
  ])("ignores $name", ({ log }) => {
    expect(decodeChannelLog(log)).toBeNull();
  });

  it("round-trips through a database row", () => {
    const event = decodeChannelLog(buildLog())!;
    expect(eventFromRow({ ...event, args: JSON.stringify(event.args) })).toEqual(event);
  });

  it("filters on all five event signatures", () => {
    expect(new Set(channelEventTopics).size).toBe(5);
    expect(channelEventTopics).toContain(buildLog().topics[0]);
  });
});
