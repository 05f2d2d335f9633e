/**
 * The operator's view of the receiver's channels: a filtered, searchable, paginated listing and
 * one channel's detail (payments and chain events). Domain values only (bigint, Date).
 */
import type { Address, Hex } from "viem";
import { z } from "zod";
import { findChannel, toChannelRecord, type ChannelRecord } from "@/lib/api/channels";
import { channelStatusSchema, type ChannelStatus } from "@/lib/api/params";
import { listPayments, storedDate, type PaymentPage } from "@/lib/api/payments";
import { db } from "@/lib/db/client";
import { sql, startsWithText } from "@/lib/db/sql";
import type { ChannelEventName } from "@/lib/indexer/events";
import { uint192Schema } from "@/lib/protocol/wire";

/** Channels per listing page. */
export const CHANNELS_PAGE_SIZE = 25;
/** Payments per page of a channel's history. */
export const CHANNEL_PAYMENTS_PAGE_SIZE = 25;

/** A sender search: a full address or a hex prefix of one, any case → lower-case `0x…` prefix. */
export const senderSearchSchema = z
  .string()
  .trim()
  .refine((v) => v === "" || /^(0x)?[0-9a-fA-F]{0,40}$/.test(v), {
    error: "must be an address or the start of one (hex digits, optionally 0x-prefixed)",
  })
  .transform((v) => (v === "" ? undefined : `0x${v.replace(/^0x/i, "").toLowerCase()}`))
  .optional();

/** `?page=`: 1-based. */
export const pageNumberSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/, "must be a positive integer")
  .transform((v) => Number(v))
  .default(1);

/** `?status=&q=&page=` of `/admin/channels`. */
export const channelListQuerySchema = z.object({
  status: channelStatusSchema,
  q: senderSearchSchema,
  page: pageNumberSchema,
});
export type ChannelListQuery = z.infer<typeof channelListQuerySchema>;

/** `?before=` of a channel's detail page: the payment history's cursor. */
export const channelDetailQuerySchema = z.object({ before: uint192Schema.optional() });

/** One row of the listing. */
export type ChannelRow = ChannelRecord & {
  /** When the payment that reached the current balance was accepted; `null` if none. */
  lastPaymentAt: Date | null;
};

/** One listing page. */
export type ChannelListPage = {
  rows: ChannelRow[];
  /** Channels matching the filter on every page. */
  total: number;
  page: number;
  pageCount: number;
};

/**
 * The channels matching `status` and the sender search, newest first (open block, then sender:
 * a stable order), page `page` of {@link CHANNELS_PAGE_SIZE}.
 *
 * @param params.search - lower-case `0x` hex prefix of the sender (see {@link senderSearchSchema})
 * @example
 * const { rows, total } = await listChannelPage({ status: "open", search: "0xf39f", page: 1 });
 */
export async function listChannelPage(params: {
  status: ChannelStatus;
  search?: string;
  page: number;
}): Promise<ChannelListPage> {
  // Addresses are stored checksummed: a prefix match that ignores case (startsWithText) finds
  // them by a lower-case prefix.
  const where = {
    ...(params.status === "all" ? {} : { state: params.status }),
    ...(params.search ? { sender: startsWithText(params.search) } : {}),
  };
  const [total, rows] = await Promise.all([
    db().channel.count({ where }),
    db().channel.findMany({
      where,
      orderBy: [{ openBlock: "desc" }, { sender: "asc" }],
      skip: (params.page - 1) * CHANNELS_PAGE_SIZE,
      take: CHANNELS_PAGE_SIZE,
    }),
  ]);
  const paidAt = await lastPaymentTimes(rows.map((r) => r.id));
  return {
    rows: rows.map((r) => ({ ...toChannelRecord(r), lastPaymentAt: paidAt.get(r.id) ?? null })),
    total,
    page: params.page,
    pageCount: Math.max(1, Math.ceil(total / CHANNELS_PAGE_SIZE)),
  };
}

/** Time of the payment that reached each channel's current balance ((channelId, balance) is unique). */
async function lastPaymentTimes(ids: number[]): Promise<Map<number, Date>> {
  if (ids.length === 0) return new Map();
  const rows = await sql().all<{ channelId: number; createdAt: string | number }>(
    `SELECT p."channelId", p."createdAt" FROM "Payment" p
       JOIN "Channel" c ON c."id" = p."channelId" AND p."balance" = c."balance"
      WHERE p."channelId" IN (${ids.map(() => "?").join(", ")})`,
    ids,
  );
  return new Map(rows.map((r) => [r.channelId, storedDate(r.createdAt)]));
}

/** One contract event of a channel as the indexer stored it. */
export type ChannelEventRecord = {
  name: ChannelEventName;
  blockNumber: number;
  logIndex: number;
  txHash: Hex;
  /** Non-indexed arguments: amounts as decimal strings, addresses checksummed. */
  args: Record<string, string>;
};

/** Everything the detail page shows. */
export type ChannelDetail = {
  channel: ChannelRow;
  /** Newest first; `nextBefore` is the cursor of older payments. */
  payments: PaymentPage;
  /** Oldest first, as the chain executed them. */
  events: ChannelEventRecord[];
};

/**
 * Channel `(sender, openBlock)` with a page of its payments (below `before`, newest first) and
 * every indexed chain event, or `null` when there is no such channel.
 *
 * @param sender - checksummed sender address
 */
export async function getChannelDetail(
  sender: Address,
  openBlock: number,
  opts: { before?: bigint } = {},
): Promise<ChannelDetail | null> {
  const row = await findChannel(sender, openBlock);
  if (!row) return null;
  const [payments, events] = await Promise.all([
    listPayments({ sender, openBlock, limit: CHANNEL_PAYMENTS_PAGE_SIZE, before: opts.before }),
    db().chainEvent.findMany({
      where: { sender, openBlock },
      orderBy: [{ blockNumber: "asc" }, { logIndex: "asc" }],
    }),
  ]);
  return {
    channel: {
      ...toChannelRecord(row),
      lastPaymentAt: (await lastPaymentTimes([row.id])).get(row.id) ?? null,
    },
    payments,
    events: events.map((e) => ({
      name: e.name as ChannelEventName,
      blockNumber: e.blockNumber,
      logIndex: e.logIndex,
      txHash: e.txHash as Hex,
      args: JSON.parse(e.args) as Record<string, string>,
    })),
  };
}
