/**
 * Articles managed from the admin pages (lib/admin/articles.ts), against the real proxy, the real
 * database and anvil: a new article is paid at its price, a price change applies to the next
 * payment only, a draft is invisible to readers everywhere, and bad input is refused by field.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { GET as pricesRoute } from "@/app/api/1/prices/route";
import { GET as mediaRoute } from "@/app/media/[...path]/route";
import {
  createArticle,
  getAdminArticle,
  ARTICLES_PAGE_SIZE,
  listAdminArticles,
  previewArticleBody,
  setArticlePublished,
  updateArticle,
} from "@/lib/admin/articles";
import type { ArticleForm } from "@/lib/admin/content-validation";
import { articlePrice } from "@/lib/content/article-price";
import { findArticle } from "@/lib/content/articles";
import { articleCategories, newestArticles } from "@/lib/content/catalog";
import { searchArticles } from "@/lib/content/search";
import { db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { articleRoute } from "../../helpers/article-route";
import { BASE, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { setupSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
let reader: SiteFixture["readers"][number];
let openBlock: number;
let balance = 0n;

setupSiteFixture(async (site) => {
  f = site;
  reader = f.readers[0]!;
  openBlock = await f.openChannel(reader, 100n * TOKEN);
  await indexChannel(f, reader, openBlock, 100n * TOKEN);
});

const form = (overrides: Partial<ArticleForm> = {}): ArticleForm => ({
  slug: "harbour-lights",
  title: "Harbour lights",
  teaser: "Why the harbour glows at night.",
  author: "Ada Quill",
  category: "coastal-notes",
  price: "0.25",
  body: "The **harbour** glows.\n\n![the quay](/media/kitten.jpg)",
  published: true,
  ...overrides,
});

const get = (slug: string, headers: Record<string, string> = {}) =>
  articleRoute(
    new Request(`${BASE}/articles/${slug}`, {
      headers: { accept: "application/json", ...headers },
    }),
  );

/** Pays `price` more on the reader's channel for the article. */
async function pay(slug: string, price: bigint): Promise<Response> {
  const next = balance + price;
  const sig = await proof(f, reader, reader.address, openBlock, next);
  const res = await get(slug, paymentHeaders(reader.address, openBlock, next, sig));
  if (res.status === 200) balance = next;
  return res;
}

async function pricePaths(): Promise<string[]> {
  const body = (await (await pricesRoute()).json()) as { resources: { path: string }[] };
  return body.resources.map((r) => r.path);
}

async function refusal(p: Promise<unknown>): Promise<{ status: number; message: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestError);
  return { status: (err as BadRequestError).status, message: (err as Error).message };
}

describe("a published article", () => {
  beforeAll(async () => {
    await createArticle(form());
  });

  it("is sold through the proxy at its price, and a price change applies to new payments only", async () => {
    const unpaid = await get("harbour-lights");
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get("RDN-Price")).toBe((TOKEN / 4n).toString());

    const paid = await pay("harbour-lights", TOKEN / 4n);
    expect(paid.status).toBe(200);
    expect(await paid.text()).toContain("<strong>harbour</strong>");
    const first = await db().payment.findFirstOrThrow({
      where: { resource: "article:harbour-lights" },
    });
    expect(first.amount).toBe((TOKEN / 4n).toString());

    await updateArticle("harbour-lights", form({ price: "0.5", title: "Harbour lights, revised" }));
    const again = await get("harbour-lights");
    expect(again.headers.get("RDN-Price")).toBe((TOKEN / 2n).toString());
    expect(await db().payment.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({
      amount: (TOKEN / 4n).toString(),
    });
    const a = await getAdminArticle("harbour-lights");
    expect(a.title).toBe("Harbour lights, revised");
    expect(a.updatedAt).toBeInstanceOf(Date);
    expect((await pricePaths()).includes("/articles/harbour-lights")).toBe(true);
  });

  it("unpublished, is gone for readers: 404, no price, no lists, no search, not for sale", async () => {
    await setArticlePublished("harbour-lights", false);
    expect((await get("harbour-lights")).status).toBe(404);
    expect(await articlePrice("harbour-lights")).toBeUndefined();
    expect(await findArticle("harbour-lights")).toBeUndefined();
    expect((await newestArticles()).map((a) => a.slug)).not.toContain("harbour-lights");
    expect((await articleCategories()).map((c) => c.name)).not.toContain("coastal-notes");
    expect((await searchArticles("harbour glows")).map((a) => a.slug)).toEqual([]);
    expect(await pricePaths()).not.toContain("/articles/harbour-lights");
    const row = (await listAdminArticles()).rows.find((a) => a.slug === "harbour-lights");
    expect(row?.published).toBe(false);
    // The content page's search, status filter and paging.
    const drafts = await listAdminArticles({ q: "HARBOUR", status: "draft", page: 1 });
    expect(drafts.rows.map((a) => a.slug)).toEqual(["harbour-lights"]);
    expect(drafts).toMatchObject({ total: 1, page: 1, pages: 1 });
    expect((await listAdminArticles({ q: "harbour", status: "published", page: 1 })).total).toBe(0);
    const all = await listAdminArticles({ q: "", status: "all", page: 999 });
    expect(all.pages).toBe(Math.ceil(all.total / ARTICLES_PAGE_SIZE));
    expect(all.page).toBe(all.pages);
    expect(all.rows.length).toBe(all.total - (all.pages - 1) * ARTICLES_PAGE_SIZE);
    expect((await listAdminArticles()).rows[0]!.slug).toBe("harbour-lights"); // drafts first

    await setArticlePublished("harbour-lights", true);
    expect((await get("harbour-lights")).status).toBe(402);
    expect((await searchArticles("harbour glows")).map((a) => a.slug)).toEqual(["harbour-lights"]);
  });
});

describe("reader search", () => {
  // Each word appears in one part of the article only.
  const article = form({
    slug: "tidal-clock",
    title: "Tidal clock of Quernhaven",
    teaser: "The quayside clock keeps lighthouse time.",
    body: "Paid part: the keeper hides the marzipanfjord recipe behind the dial.",
  });
  const slugs = async (q: string) => (await searchArticles(q)).map((a) => a.slug);

  beforeAll(async () => {
    await createArticle(article);
    await db().article.update({
      where: { slug: "tidal-clock" },
      data: { infobox: JSON.stringify({ Keeper: "Ondine Varga" }) },
    });
  });

  it("finds the words of the title, the teaser and the key facts", async () => {
    expect(await slugs("Quernhaven")).toEqual(["tidal-clock"]);
    expect(await slugs("lighthouse")).toEqual(["tidal-clock"]);
    expect(await slugs("Varga")).toEqual(["tidal-clock"]);
    expect(await slugs("quern light")).toEqual(["tidal-clock"]);
  });

  it("does not find a word that only the paid body holds, whole or as a prefix", async () => {
    expect(await slugs("marzipanfjord")).toEqual([]);
    expect(await slugs("marzipan")).toEqual([]);
    expect(await slugs("Quernhaven marzipanfjord")).toEqual([]);
  });

  it("follows edits: a word moved into the teaser is found, a new body word is not", async () => {
    await updateArticle(
      "tidal-clock",
      form({
        ...article,
        teaser: "The marzipanfjord clock.",
        body: "Paid part: now about the glockenwharf.",
      }),
    );
    expect(await slugs("marzipanfjord")).toEqual(["tidal-clock"]);
    expect(await slugs("glockenwharf")).toEqual([]);
    expect(await slugs("lighthouse")).toEqual([]);
  });
});

describe("a draft", () => {
  it("starts unpublished unless published is chosen; the first publish sets publishedAt", async () => {
    const draft = await createArticle(form({ slug: "quiet-draft", published: false }));
    expect(draft.published).toBe(false);
    expect(draft.publishedAt).toBeUndefined();
    expect((await get("quiet-draft")).status).toBe(404);
    expect(await pricePaths()).not.toContain("/articles/quiet-draft");

    const before = Date.now();
    const published = await setArticlePublished("quiet-draft", true);
    expect(published.publishedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const res = await get("quiet-draft");
    expect(res.status).toBe(402);
    expect(res.headers.get("RDN-Price")).toBe((TOKEN / 4n).toString());
    // A later unpublish and publish keeps the first publishing time.
    await setArticlePublished("quiet-draft", false);
    const republished = await setArticlePublished("quiet-draft", true);
    expect(republished.publishedAt).toEqual(published.publishedAt);
  });
});

describe("refusals", () => {
  it.each([
    ["a bad slug", form({ slug: "Bad Slug" }), 400, /^slug: must be lowercase/],
    ["a slug with a slash", form({ slug: "a/b" }), 400, /^slug: /],
    [
      "a price that is not an amount",
      form({ slug: "p1", price: "abc" }),
      400,
      /^price: must be a token amount like 0.25$/,
    ],
    ["a price of 0", form({ slug: "p2", price: "0" }), 400, /^price: must be more than 0$/],
    [
      "more than 18 decimals",
      form({ slug: "p3", price: "0.0000000000000000001" }),
      400,
      /^price: /,
    ],
    ["an empty title", form({ slug: "p4", title: "  " }), 400, /^title: /],
    ["a bad category", form({ slug: "p5", category: "Not Ok" }), 400, /^category: /],
  ])("%s is a 400 naming the field", async (_name, input, status, message) => {
    const r = await refusal(createArticle(input));
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
  });

  it("a taken slug is a 409, and a slug cannot change", async () => {
    await createArticle(form({ slug: "taken-one" }));
    expect(await refusal(createArticle(form({ slug: "taken-one" })))).toEqual({
      status: 409,
      message: "slug: taken-one is taken",
    });
    const r = await refusal(updateArticle("taken-one", form({ slug: "other-one" })));
    expect(r).toEqual({ status: 400, message: "slug: cannot change after creation" });
    expect((await refusal(updateArticle("no-such", form({ slug: undefined })))).status).toBe(404);
  });
});

it("the preview is the sanitised render readers get, its images shown to the operator", async () => {
  await db().media.upsert({
    where: { path: "kitten.jpg" },
    create: { path: "kitten.jpg", price: TOKEN.toString(), contentType: "image/jpeg" },
    update: {},
  });
  const html = await previewArticleBody(
    "# T\n\n**bold** <script>alert(1)</script>\n\n![ok](/media/kitten.jpg) ![no](https://evil.example/x.png)",
  );
  expect(html).toContain("<strong>bold</strong>");
  expect(html).not.toContain("script");
  expect(html).not.toContain("evil.example");
  // The image is linked with a grant, as on a paid article: it is served without a payment.
  const src = html.match(/<img src="([^"]+)" alt="ok"/)?.[1];
  expect(src).toMatch(/^\/media\/kitten\.jpg\?grant=/);
  const granted = await mediaRoute(new Request(`${BASE}${src!.replace(/&amp;/g, "&")}`), {
    params: Promise.resolve({ path: ["kitten.jpg"] }),
  });
  expect(granted.status).toBe(200);
  const plain = await mediaRoute(new Request(`${BASE}/media/kitten.jpg`), {
    params: Promise.resolve({ path: ["kitten.jpg"] }),
  });
  expect(plain.status).toBe(402);
});

describe("seeding again (npm run demo seeds on every start)", () => {
  it("keeps what the operator edited and refreshes what nobody touched", async () => {
    const { seed } = await import("../../../prisma/seed");
    await seed();
    const edited = await getAdminArticle("closing-a-channel");
    await updateArticle("closing-a-channel", {
      slug: edited.slug,
      title: "Closing, as the operator put it",
      teaser: edited.teaser,
      author: edited.author,
      category: edited.category,
      price: "2.5",
      body: edited.body,
      published: true,
    });
    // An untouched seeded row that drifted from the seed data (e.g. an older seed).
    await db().article.update({ where: { slug: "the-402-status-code" }, data: { title: "Old" } });

    await seed();
    const after = await getAdminArticle("closing-a-channel");
    expect(after.title).toBe("Closing, as the operator put it");
    expect(after.price).toBe(25n * 10n ** 17n);
    expect((await getAdminArticle("the-402-status-code")).title).not.toBe("Old");
    expect(await db().article.count({ where: { slug: "closing-a-channel" } })).toBe(1);
  });
});
