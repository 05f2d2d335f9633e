/**
 * `GET /api/1/channels/:sender/:open_block/payments` against a real SQLite file: payments written
 * by the paywall's own store, access rules (anonymous, another reader, the sender, the operator by
 * session and by bearer token), newest-first order by numeric balance, paging and bad input.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { PrivateKeyAccount } from "viem";
import * as paymentsRoute from "@/app/api/1/channels/[sender]/[open_block]/payments/route";
import { listPayments } from "@/lib/api/payments";
import { channelStore } from "@/lib/db/store";
import { db } from "@/lib/db/client";
import { API_TOKEN, setupSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import {
  apiRequest,
  ctx,
  insertChannel,
  proofFor,
  signIn,
  type RequestOptions,
} from "./api-helpers";

let site: SiteFixture;
let a: PrivateKeyAccount;
let b: PrivateKeyAccount;
setupSiteFixture((s) => {
  site = s;
  [a, b] = [s.readers[0]!, s.readers[1]!];
});

type PaymentJson = { resource: string; amount: string; balance: string; created_at: string };

/** Calls the route as `opts` says; `path` may carry a query. */
async function get(sender: string, openBlock: string, query = "", opts: RequestOptions = {}) {
  const res = await paymentsRoute.GET(
    apiRequest(`/api/1/channels/${sender}/${openBlock}/payments${query}`, opts),
    ctx({ sender, open_block: openBlock }),
  );
  return { status: res.status, link: res.headers.get("link"), body: await res.json() };
}

/** Commits payments on a channel through the paywall's SQLite store, one at a time. */
async function pay(
  channel: { id: number; reader: PrivateKeyAccount; openBlock: number },
  items: Array<[resource: string, amount: bigint]>,
): Promise<bigint> {
  const store = channelStore(() => 0);
  let balance = 0n;
  for (const [resource, amount] of items) {
    const next = balance + amount;
    const applied = await store.commitPayment({
      channelId: channel.id,
      previousBalance: balance,
      balance: next,
      signature: await proofFor(site, channel, next),
      resource,
      amount,
    });
    expect(applied).toBe(true);
    balance = next;
  }
  return balance;
}

// Amounts chosen so that text order and numeric order of the balances differ (9 < 10 < 100),
// and one balance exceeds 2^64.
const HISTORY: Array<[string, bigint]> = [
  ["article:first", 9n],
  ["article:second", 1n],
  ["/api/echo/fix/x", 90n],
  ["article:big", 20n * TOKEN],
];

describe("GET /api/1/channels/:sender/:open_block/payments", () => {
  let since: number;
  beforeAll(async () => {
    await db().channel.deleteMany();
    since = Date.now() - 1000;
    const main = await insertChannel(site, { reader: a, openBlock: 50, deposit: 100n * TOKEN });
    await pay({ id: main.id, reader: a, openBlock: 50 }, HISTORY);
    // Another channel of the same sender: never mixed into channel 50's history.
    const other = await insertChannel(site, { reader: a, openBlock: 51 });
    await pay({ id: other.id, reader: a, openBlock: 51 }, [["article:elsewhere", 7n]]);
    await insertChannel(site, { reader: b, openBlock: 52 });
  });

  const newestFirst = [
    {
      resource: "article:big",
      amount: (20n * TOKEN).toString(),
      balance: (20n * TOKEN + 100n).toString(),
    },
    { resource: "/api/echo/fix/x", amount: "90", balance: "100" },
    { resource: "article:second", amount: "1", balance: "10" },
    { resource: "article:first", amount: "9", balance: "9" },
  ];

  it("refuses anonymous callers (401) and another reader (403)", async () => {
    const anonymous = await get(a.address, "50");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toMatch(/^authentication required/);

    const cookie = await signIn(b, site.deployment.chainId);
    const other = await get(a.address, "50", "", { cookie });
    expect(other.status).toBe(403);
    expect(other.body.error).toContain(`not as the sender ${a.address}`);
    // A wrong bearer token authenticates nobody.
    expect((await get(a.address, "50", "", { bearer: "wrong-token" })).status).toBe(401);
  });

  it("shows the sender its history, newest first, with ISO times", async () => {
    const cookie = await signIn(a, site.deployment.chainId);
    const { status, body, link } = await get(a.address.toLowerCase(), "50", "", { cookie });
    expect(status).toBe(200);
    expect(link).toBeNull();
    expect(
      body.map((p: PaymentJson) => ({
        resource: p.resource,
        amount: p.amount,
        balance: p.balance,
      })),
    ).toEqual(newestFirst);
    for (const p of body as PaymentJson[]) {
      expect(p.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(p.created_at)).toBeGreaterThanOrEqual(since);
      expect(Date.parse(p.created_at)).toBeLessThanOrEqual(Date.now());
    }
    const times = (body as PaymentJson[]).map((p) => Date.parse(p.created_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it("lets the operator read any channel, by bearer token or by session", async () => {
    const byToken = await get(a.address, "50", "", { bearer: API_TOKEN });
    expect(byToken.status).toBe(200);
    expect(byToken.body).toHaveLength(4);

    const cookie = await signIn(site.receiver, site.deployment.chainId);
    const bySession = await get(a.address, "51", "", { cookie });
    expect(bySession.status).toBe(200);
    expect(bySession.body.map((p: PaymentJson) => p.resource)).toEqual(["article:elsewhere"]);

    const empty = await get(b.address, "52", "", { cookie });
    expect(empty).toMatchObject({ status: 200, body: [], link: null });
  });

  it("pages with ?limit= and ?before=<balance>, naming the next page in a Link header", async () => {
    const opts = { bearer: API_TOKEN };
    const first = await get(a.address, "50", "?limit=2", opts);
    expect(first.status).toBe(200);
    expect(first.body.map((p: PaymentJson) => p.balance)).toEqual(["20000000000000000100", "100"]);
    expect(first.link).toBe(
      `</api/1/channels/${a.address}/50/payments?limit=2&before=100>; rel="next"`,
    );

    const second = await get(a.address, "50", "?limit=2&before=100", opts);
    expect(second.body.map((p: PaymentJson) => p.balance)).toEqual(["10", "9"]);
    // The last page is full but nothing follows it.
    expect(second.link).toBeNull();

    // A cursor that is no stored balance still splits numerically (99 > 10 although "99" > "100").
    const between = await get(a.address, "50", "?before=99", opts);
    expect(between.body.map((p: PaymentJson) => p.balance)).toEqual(["10", "9"]);
    const above = await get(a.address, "50", `?before=${10n ** 30n}`, opts);
    expect(above.body).toHaveLength(4);
    expect((await get(a.address, "50", "?before=9", opts)).body).toEqual([]);
    expect((await get(a.address, "50", "?before=0", opts)).body).toEqual([]);
  });

  it("returns 100 payments by default and at most 1000", async () => {
    const row = await insertChannel(site, { reader: b, openBlock: 53, deposit: 10n ** 6n });
    await pay(
      { id: row.id, reader: b, openBlock: 53 },
      Array.from({ length: 101 }, (_, i): [string, bigint] => [`article:a${i}`, 1n]),
    );
    const page = await get(b.address, "53", "", { bearer: API_TOKEN });
    expect(page.body).toHaveLength(100);
    expect(page.body[0].balance).toBe("101");
    expect(page.body[99].balance).toBe("2");
    expect(page.link).toBe(
      `</api/1/channels/${b.address}/53/payments?limit=100&before=2>; rel="next"`,
    );

    const all = await get(b.address, "53", "?limit=1000", { bearer: API_TOKEN });
    expect(all.body).toHaveLength(101);
    expect(all.link).toBeNull();

    // The library returns domain values.
    const lib = await listPayments({ sender: b.address, openBlock: 53, limit: 1 });
    expect(lib.nextBefore).toBe(101n);
    expect(lib.payments[0]).toMatchObject({ resource: "article:a100", amount: 1n, balance: 101n });
    expect(lib.payments[0]!.createdAt).toBeInstanceOf(Date);
  });

  it("reads times written by Prisma as well as by the paywall's store", async () => {
    const row = await insertChannel(site, { reader: b, openBlock: 54 });
    const at = new Date("2024-05-06T07:08:09.123Z");
    await db().payment.create({
      data: {
        channelId: row.id,
        resource: "article:prisma",
        amount: "5",
        balance: "5",
        signature: await proofFor(site, { reader: b, openBlock: 54 }, 5n),
        createdAt: at,
      },
    });
    const { body } = await get(b.address, "54", "", { bearer: API_TOKEN });
    expect(body).toEqual([
      { resource: "article:prisma", amount: "5", balance: "5", created_at: at.toISOString() },
    ]);
  });

  it("names an article's payment by the article's title", async () => {
    const article = await db().article.create({
      data: {
        slug: "history-titles",
        title: "Titles in the history",
        author: "A",
        teaser: "t",
        body: "b",
        price: "3",
      },
    });
    const row = await insertChannel(site, { reader: b, openBlock: 55 });
    await pay({ id: row.id, reader: b, openBlock: 55 }, [
      [`article:${article.slug}`, 3n],
      ["article:no-such-article", 4n],
      ["/api/echo/fix/x", 5n],
    ]);
    const { body } = await get(b.address, "55", "", { bearer: API_TOKEN });
    expect(body.map((p: PaymentJson & { title?: string }) => [p.resource, p.title])).toEqual([
      ["/api/echo/fix/x", undefined],
      ["article:no-such-article", undefined],
      ["article:history-titles", "Titles in the history"],
    ]);
  });

  it("answers 404 for an unknown channel", async () => {
    const res = await get(a.address, "999", "", { bearer: API_TOKEN });
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/no channel/);
  });

  it.each([
    ["?limit=0", "limit"],
    ["?limit=1001", "limit"],
    ["?limit=abc", "limit"],
    ["?limit=-1", "limit"],
    ["?limit=1.5", "limit"],
    ["?limit=", "limit"],
    ["?before=abc", "before"],
    ["?before=-1", "before"],
    [`?before=${2n ** 192n}`, "before"],
    ["?before=1e3", "before"],
  ])("answers 400 naming the field for %s", async (query, field) => {
    const res = await get(a.address, "50", query, { bearer: API_TOKEN });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(new RegExp(`^${field}: must be`));
  });

  it.each([
    ["0x1234", "50", "sender"],
    [undefined, "0", "open_block"],
    [undefined, "4294967296", "open_block"],
  ])("answers 400 for a bad path (%s, %s)", async (sender, openBlock, field) => {
    const res = await get(sender ?? a.address, openBlock, "", { bearer: API_TOKEN });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(new RegExp(`^${field}: `));
  });
});
