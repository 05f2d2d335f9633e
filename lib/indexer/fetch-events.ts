/**
 * `eth_getLogs` for the channel events of one receiver, in chunks of SYNC_CHUNK_BLOCKS.
 */
import {
  encodeEventTopics,
  numberToHex,
  pad,
  type Address,
  type Hex,
  type PublicClient,
} from "viem";
import { z } from "zod";
import {
  CHANNEL_EVENT_NAMES,
  channelEventsAbi,
  decodeChannelLog,
  type ChannelEvent,
  type RpcLog,
} from "./events";

/** The minimum a client needs to fetch logs (a viem PublicClient fits). */
export type LogSource = Pick<PublicClient, "request">;

const hex = z.string().regex(/^0x[0-9a-fA-F]*$/) as unknown as z.ZodType<Hex>;
const rpcLogsSchema = z.array(
  z.object({
    address: hex,
    topics: z.array(hex),
    data: hex,
    blockNumber: hex.nullable(),
    blockHash: hex.nullable(),
    transactionHash: hex.nullable(),
    logIndex: hex.nullable(),
    removed: z.boolean().optional(),
  }),
);

/** topic0 of each of the five events. */
export const channelEventTopics: Hex[] = CHANNEL_EVENT_NAMES.map(
  (eventName) => encodeEventTopics({ abi: channelEventsAbi, eventName })[0] as Hex,
);

/** Splits `[from, to]` into inclusive ranges of at most `size` blocks. */
export function chunkRange(from: number, to: number, size: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let start = from; start <= to; start += size)
    out.push([start, Math.min(to, start + size - 1)]);
  return out;
}

/**
 * Fetches and decodes the five channel events in `[fromBlock, toBlock]` whose indexed `receiver`
 * (topic 2) is `receiver`; other receivers' channels never reach the database.
 *
 * @returns events in chain order
 */
export async function fetchEvents(
  client: LogSource,
  opts: {
    contract: Address;
    receiver: Address;
    fromBlock: number;
    toBlock: number;
    chunkBlocks: number;
  },
): Promise<ChannelEvent[]> {
  const events: ChannelEvent[] = [];
  const receiverTopic = pad(opts.receiver.toLowerCase() as Hex, { size: 32 });
  for (const [from, to] of chunkRange(opts.fromBlock, opts.toBlock, opts.chunkBlocks)) {
    const raw = await client.request({
      method: "eth_getLogs",
      params: [
        {
          address: opts.contract,
          fromBlock: numberToHex(from),
          toBlock: numberToHex(to),
          topics: [channelEventTopics, null, receiverTopic],
        },
      ],
    });
    for (const log of rpcLogsSchema.parse(raw) as RpcLog[]) {
      const event = decodeChannelLog(log);
      if (event) events.push(event);
    }
  }
  return events.sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

const rpcBlockSchema = z.object({ hash: hex.nullable() }).passthrough().nullable();

/**
 * The canonical hash of block `number` as the RPC sees it now; `null` when the chain has no such
 * block. RPC failures throw (they are not taken for a missing block).
 */
export async function fetchBlockHash(client: LogSource, number: number): Promise<Hex | null> {
  const raw = await client.request({
    method: "eth_getBlockByNumber",
    params: [numberToHex(number), false],
  });
  return rpcBlockSchema.parse(raw)?.hash ?? null;
}
