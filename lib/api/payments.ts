/**
 * A channel's payment history: the payments the paywall accepted on it (one Payment row each),
 * newest first, paged by balance. Used by the reader's wallet page and the operator.
 */
import type { Address } from "viem";
import { z } from "zod";
import { sql } from "@/lib/db/sql";
import { BadRequestError } from "@/lib/errors";
import { uint192Schema } from "@/lib/protocol/wire";

/** Page size when `?limit=` is absent. */
export const DEFAULT_PAYMENTS_LIMIT = 100;
/** Largest page `?limit=` may ask for. */
export const MAX_PAYMENTS_LIMIT = 1000;

/** `?limit=&before=` of the payment history. */
export const paymentsQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, `must be an integer between 1 and ${MAX_PAYMENTS_LIMIT}`)
    .transform((v) => Number(v))
    .refine(
      (v) => v >= 1 && v <= MAX_PAYMENTS_LIMIT,
      `must be an integer between 1 and ${MAX_PAYMENTS_LIMIT}`,
    )
    .default(DEFAULT_PAYMENTS_LIMIT),
  /** Only payments whose cumulative balance is below this one (the last balance of a page). */
  before: uint192Schema.optional(),
});
export type PaymentsQuery = z.infer<typeof paymentsQuerySchema>;

/** One accepted payment. */
export type PaymentRecord = {
  /** What was paid for, e.g. `article:the-402-status-code` or a path. */
  resource: string;
  /** The price paid: the balance increase. */
  amount: bigint;
  /** The channel's cumulative balance after this payment (unique per channel). */
  balance: bigint;
  createdAt: Date;
  /** The article's title, for an article's payment (`article:<slug>`) while the article exists. */
  title?: string;
};

/** One page of a channel's history; `nextBefore` is the cursor of the next page, if any. */
export type PaymentPage = { payments: PaymentRecord[]; nextBefore: bigint | null };

/** One payment as the API returns it. Amounts are decimal strings, the time ISO 8601. */
export type PaymentJson = {
  resource: string;
  amount: string;
  balance: string;
  created_at: string;
  title?: string;
};

type Row = { resource: string; amount: string; balance: string; createdAt: string | number };

/** A stored DateTime: ISO text (the paywall's hot path) or unix milliseconds (Prisma). */
export function storedDate(v: string | number): Date {
  return new Date(typeof v === "number" || /^\d+$/.test(v) ? Number(v) : v);
}

/**
 * The accepted payments of channel `(sender, openBlock)`, newest first. Balances only grow on a
 * channel, so newest first is highest balance first. Balances are stored as canonical decimal
 * strings: comparing (length, text) compares them as numbers without leaving SQLite's integers.
 *
 * @param params.sender - checksummed sender address
 * @param params.before - only payments with a lower cumulative balance (the cursor)
 * @throws {@link BadRequestError} 404 when the channel is unknown
 * @example
 * const first = await listPayments({ sender, openBlock: 42, limit: 100 });
 * const next = await listPayments({ sender, openBlock: 42, before: first.nextBefore! });
 */
export async function listPayments(params: {
  sender: Address;
  openBlock: number;
  limit?: number;
  before?: bigint;
}): Promise<PaymentPage> {
  const channel = await sql().get<{ id: number }>(
    `SELECT "id" FROM "Channel" WHERE "sender" = ? AND "openBlock" = ?`,
    [params.sender, params.openBlock],
  );
  if (!channel) {
    throw new BadRequestError(
      `no channel from ${params.sender} opened in block ${params.openBlock}`,
      404,
    );
  }
  const limit = params.limit ?? DEFAULT_PAYMENTS_LIMIT;
  const before = params.before?.toString();
  // One row more than the page tells whether another page follows. Balances are decimal text:
  // ordered by length, then by text.
  const rows = await sql().all<Row>(
    `SELECT "resource", "amount", "balance", "createdAt" FROM "Payment"
      WHERE "channelId" = ?
        ${before === undefined ? "" : `AND (length("balance") < ? OR (length("balance") = ? AND "balance" < ?))`}
      ORDER BY length("balance") DESC, "balance" DESC
      LIMIT ?`,
    [
      channel.id,
      ...(before === undefined ? [] : [before.length, before.length, before]),
      limit + 1,
    ],
  );
  const page = rows.slice(0, limit);
  const titles = await articleTitles(page.map((r) => r.resource));
  const payments = page.map((r): PaymentRecord => {
    const title = titles.get(r.resource);
    return {
      resource: r.resource,
      amount: BigInt(r.amount),
      balance: BigInt(r.balance),
      createdAt: storedDate(r.createdAt),
      ...(title === undefined ? {} : { title }),
    };
  });
  const nextBefore = rows.length > limit ? payments[payments.length - 1]!.balance : null;
  return { payments, nextBefore };
}

/** The titles of the articles among `resources` (`article:<slug>` → title), in one query. */
async function articleTitles(resources: string[]): Promise<Map<string, string>> {
  const slugs = [
    ...new Set(resources.filter((r) => r.startsWith("article:")).map((r) => r.slice(8))),
  ];
  if (slugs.length === 0) return new Map();
  const rows = await sql().all<{ slug: string; title: string }>(
    `SELECT "slug", "title" FROM "Article" WHERE "slug" IN (${slugs.map(() => "?").join(", ")})`,
    slugs,
  );
  return new Map(rows.map((r) => [`article:${r.slug}`, r.title]));
}

/** Maps a payment to its wire shape. */
export function toPaymentJson(p: PaymentRecord): PaymentJson {
  return {
    resource: p.resource,
    amount: p.amount.toString(),
    balance: p.balance.toString(),
    created_at: p.createdAt.toISOString(),
    ...(p.title === undefined ? {} : { title: p.title }),
  };
}
