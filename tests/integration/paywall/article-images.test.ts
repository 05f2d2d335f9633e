import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as media } from "@/app/media/[...path]/route";
import { db } from "@/lib/db/client";
import { renderMarkdown } from "@/lib/content/articles";
import { seed } from "@/prisma/seed";
import { articleRoute } from "../../helpers/article-route";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
const SLUG = "why-payment-channels"; // shows the paid /media/kitten.jpg (1 TKN on its own)

beforeAll(async () => {
  f = await startSiteFixture();
  await seed();
});
afterAll(async () => f?.stop());

/** The image URLs of a page. */
const images = (html: string) => [...html.matchAll(/<img[^>]* src="([^"]+)"/g)].map((m) => m[1]!);

describe("images of a paid article", () => {
  it("are linked with a grant that serves them free, for that file only", async () => {
    const reader = f.readers[0]!;
    const openBlock = await f.openChannel(reader, 5n * TOKEN);
    await indexChannel(f, reader, openBlock, 5n * TOKEN);
    const price = (await db().article.findUniqueOrThrow({ where: { slug: SLUG } })).price;
    const sig = await proof(f, reader, reader.address, openBlock, BigInt(price));
    const page = await call(
      articleRoute,
      `/articles/${SLUG}`,
      { slug: SLUG },
      {
        accept: "text/html",
        ...paymentHeaders(reader.address, openBlock, BigInt(price), sig),
      },
    );
    expect(page.status).toBe(200);
    const [src] = images(await page.text());
    expect(src).toMatch(/^\/media\/kitten\.jpg\?grant=[\w.%-]+$/);
    const payments = await db().payment.count();

    const granted = await call(media, src!.replaceAll("&amp;", "&"), { path: ["kitten.jpg"] });
    expect(granted.status).toBe(200);
    expect(granted.headers.get("content-type")).toBe("image/jpeg");
    expect(granted.headers.get("cache-control")).toBe("private, no-store");
    // Covered by the article: no payment recorded for the image.
    expect(await db().payment.count()).toBe(payments);

    const grant = new URL(src!, "http://x").searchParams.get("grant")!;
    // The same grant on another file, a tampered grant, or none: the image's own 402.
    const other = await call(media, `/media/doggo.jpg?grant=${grant}`, { path: ["doggo.jpg"] });
    expect(other.status).toBe(402);
    const tampered = grant.slice(0, -2) + (grant.endsWith("AA") ? "BB" : "AA");
    expect(
      (await call(media, `/media/kitten.jpg?grant=${tampered}`, { path: ["kitten.jpg"] })).status,
    ).toBe(402);
    expect((await call(media, "/media/kitten.jpg", { path: ["kitten.jpg"] })).status).toBe(402);
  });

  it("the paywall never links the paid images", async () => {
    const res = await call(
      articleRoute,
      `/articles/${SLUG}`,
      { slug: SLUG },
      { accept: "text/html" },
    );
    expect(res.status).toBe(402);
    expect(images(await res.text())).toEqual([]);
  });

  it("grants are added per render, never kept with the cached HTML", () => {
    const md = "Text\n\n![k](/media/kitten.jpg)";
    expect(images(renderMarkdown(md, { grant: () => "1.a" }))).toEqual([
      "/media/kitten.jpg?grant=1.a",
    ]);
    expect(images(renderMarkdown(md, { grant: () => "2.b" }))).toEqual([
      "/media/kitten.jpg?grant=2.b",
    ]);
    expect(images(renderMarkdown(md))).toEqual(["/media/kitten.jpg"]);
  });

  it("only the site's own media survive in article Markdown", () => {
    const html = renderMarkdown(
      "![a](/media/kitten.jpg) ![b](https://evil.example/x.png) ![c](/media/../x) <img src=/api/1/stats>",
    );
    expect(images(html)).toEqual(["/media/kitten.jpg"]);
  });
});
