import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as media } from "@/app/media/[...path]/route";
import { revenueBreakdown } from "@/lib/admin/revenue";
import { loadRevenueData } from "@/lib/admin/revenue-data";
import { db } from "@/lib/db/client";
import { flushChallenges, pendingChallenges } from "@/lib/paywall/challenge-counter";
import { seed } from "@/prisma/seed";
import { articleRoute as article } from "../../helpers/article-route";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
const SLUG = "the-402-status-code"; // 5 cents, by Ben Block
const RESOURCE = `article:${SLUG}`;

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
  await flushChallenges();
  await db().resourceChallenge.deleteMany();
});
afterAll(async () => f?.stop());

/** The stored 402 count of a resource after a flush. */
async function stored(resource: string): Promise<number> {
  await flushChallenges();
  const row = await db().resourceChallenge.findUnique({ where: { resource } });
  return row?.count ?? 0;
}

const visit = (headers: Record<string, string>, method = "GET") =>
  article(new Request(`http://127.0.0.1:3000/articles/${SLUG}`, { method, headers }));

describe("402 counting", () => {
  it("counts program, document and client-router 402s, only once flushed", async () => {
    const program = await visit({});
    expect(program.status).toBe(402);
    expect(pendingChallenges().get(RESOURCE)).toBe(1);
    expect(await db().resourceChallenge.findUnique({ where: { resource: RESOURCE } })).toBeNull();
    expect(await stored(RESOURCE)).toBe(1);
    expect(pendingChallenges().size).toBe(0);

    expect((await visit({ accept: "text/html,*/*" })).status).toBe(402);
    // The client router's fetch gets the paywall with status 200, but it is a 402 answer.
    expect((await visit({ rsc: "1" })).status).toBe(200);
    expect(await stored(RESOURCE)).toBe(3);
  });

  it("adds to the stored count with one upsert per resource", async () => {
    for (let i = 0; i < 5; i++) expect((await visit({})).status).toBe(402);
    expect(pendingChallenges().get(RESOURCE)).toBe(5);
    expect(await flushChallenges()).toBe(1);
    expect(await stored(RESOURCE)).toBe(8);
  });

  it("never counts prefetches or HEAD", async () => {
    const before = await stored(RESOURCE);
    expect((await visit({ rsc: "1", "next-router-prefetch": "1" })).status).toBe(200);
    expect((await visit({ accept: "text/html" }, "HEAD")).status).toBe(402);
    expect((await visit({}, "HEAD")).status).toBe(402);
    expect(await stored(RESOURCE)).toBe(before);
  });

  it("counts the 402s of paid routes under their resource name, not HEAD", async () => {
    expect((await call(media, "/media/kitten.jpg", { path: ["kitten.jpg"] })).status).toBe(402);
    const head = await media(
      new Request("http://127.0.0.1:3000/media/kitten.jpg", { method: "HEAD" }),
      {
        params: Promise.resolve({ path: ["kitten.jpg"] }),
      },
    );
    expect(head.status).toBe(402);
    expect(await stored("media:kitten.jpg")).toBe(1);
  });

  it("makes the conversion paid reads ÷ 402 answers", async () => {
    const reader = f.readers[0]!;
    const openBlock = await f.openChannel(reader, 5n * TOKEN);
    await indexChannel(f, reader, openBlock, 5n * TOKEN);
    const sig = await proof(f, reader, reader.address, openBlock, 5n * CENT);
    const paid = await call(
      article,
      `/articles/${SLUG}`,
      { slug: SLUG },
      paymentHeaders(reader.address, openBlock, 5n * CENT, sig),
    );
    expect(paid.status).toBe(200);
    const challenges = await stored(RESOURCE);
    expect(challenges).toBe(8);
    const data = await loadRevenueData();
    const row = revenueBreakdown(data.payments, data.articles, data.challenges).articles.find(
      (a) => a.slug === SLUG,
    )!;
    expect(row).toMatchObject({ payments: 1, challenges: 8, conversion: 1 / 8 });
    // An article nobody was asked to pay for has no conversion.
    const other = revenueBreakdown(data.payments, data.articles, data.challenges).articles.find(
      (a) => a.slug !== SLUG && a.challenges === 0,
    )!;
    expect(other.conversion).toBeNull();
  });
});
