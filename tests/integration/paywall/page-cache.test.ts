/**
 * The page cache (lib/paywall/page-cache.ts) on the production build: an article page rendered
 * once is served to every paying reader with a nonce of its own, never to a reader who has not
 * paid, and an operator's edit shows on the next request (the front page within a second).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { createArticle, getAdminArticle, updateArticle } from "@/lib/admin/articles";
import type { ArticleForm } from "@/lib/admin/content-validation";
import { resetEnv } from "@/lib/env";
import { createPayer, memoryChannelStore, type Payer } from "@/lib/protocol/client";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

const TOKEN = 10n ** 18n;
let site: SiteServer;
let payer: Payer;
/** The receipt cookie of the first paid read (the site's, for reading the article again). */
let receipt: string;

/** An article of the test's own, so that edits do not touch another test's. */
const SLUG = "cache-harbour";
const form = (overrides: Partial<ArticleForm> = {}): ArticleForm => ({
  slug: SLUG,
  title: "Harbour lights",
  teaser: "Why the harbour glows at night.",
  author: "Ada Quill",
  category: "coastal-notes",
  price: "0.01",
  body: "The harbour glows: PAID-PART-ONE.",
  published: true,
  ...overrides,
});

beforeAll(async () => {
  site = await startSiteServer();
  for (const [name, value] of Object.entries(site.serverEnv)) process.env[name] = value;
  resetEnv();
  await createArticle(form());
  const { key } = await site.fundedAccount(100n * TOKEN);
  payer = createPayer({
    account: privateKeyToAccount(key),
    publicClient: site.publicClient,
    store: memoryChannelStore(),
    policy: { confirmationTimeoutMs: 30_000, maxDeposit: 10n * TOKEN },
    pollingIntervalMs: 200,
  });
}, 240_000);

afterAll(async () => site?.stop());

const url = (path: string) => `${site.url}${path}`;
/** The nonce of the response's CSP and every nonce attribute in its HTML. */
function nonces(res: Response, html: string): { csp: string | undefined; inPage: string[] } {
  const csp = /'nonce-([^']+)'/.exec(res.headers.get("content-security-policy") ?? "")?.[1];
  const inPage = [...new Set([...html.matchAll(/nonce="([^"]+)"/g)].map((m) => m[1]!))];
  return { csp, inPage };
}

describe("a paid article page", () => {
  it("is served to each paying reader with that answer's own nonce, matching its CSP", async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const res = await payer.fetch(url(`/articles/${SLUG}`), { headers: { accept: "text/html" } });
      const html = await res.text();
      expect(res.status).toBe(200);
      expect(html).toContain("PAID-PART-ONE");
      const { csp, inPage } = nonces(res, html);
      expect(csp).toBeDefined();
      // Every script of the page carries the answer's nonce, and no other.
      expect(inPage).toEqual([csp]);
      seen.add(csp!);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      receipt ??= res.headers.get("set-cookie")!.split(";")[0]!;
    }
    expect(seen.size).toBe(3);
  });

  it("is never served to a request that has not paid, whatever it claims", async () => {
    // The page is in the cache now (the test above).
    const doc = await fetch(url(`/articles/${SLUG}`), { headers: { accept: "text/html" } });
    expect(doc.status).toBe(402);
    expect(await doc.text()).not.toContain("PAID-PART-ONE");
    const router = await fetch(url(`/articles/${SLUG}`), { headers: { rsc: "1" } });
    expect(router.status).toBe(200);
    expect(await router.text()).not.toContain("PAID-PART-ONE");
    // The header of the proxy's own renders, with a made-up token.
    const forged = await fetch(url(`/articles/${SLUG}`), {
      headers: { accept: "text/html", "x-paychan-render": "x".repeat(43) },
    });
    expect(forged.status).toBe(402);
    expect(await forged.text()).not.toContain("PAID-PART-ONE");
    const program = await fetch(url(`/articles/${SLUG}`));
    expect(program.status).toBe(402);
    expect(await program.text()).not.toContain("PAID-PART-ONE");
  });

  it("keeps the client router's answer apart from the document", async () => {
    // The router reads a bought article again with its receipt.
    expect(receipt).toMatch(/=/);
    const res = await fetch(url(`/articles/${SLUG}`), { headers: { rsc: "1", cookie: receipt } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/x-component/);
    const body = await res.text();
    expect(body).toContain("PAID-PART-ONE");
    expect(body).not.toMatch(/^<!DOCTYPE html>/i);
  });

  it("shows an operator's edit on the next request", async () => {
    await updateArticle(SLUG, form({ body: "The harbour glows: PAID-PART-TWO." }));
    const res = await payer.fetch(url(`/articles/${SLUG}`), { headers: { accept: "text/html" } });
    const html = await res.text();
    expect(html).toContain("PAID-PART-TWO");
    expect(html).not.toContain("PAID-PART-ONE");
    // An unpublished article is gone at once, cached or not.
    await updateArticle(
      SLUG,
      form({ body: "The harbour glows: PAID-PART-TWO.", published: false }),
    );
    const gone = await fetch(url(`/articles/${SLUG}`), { headers: { accept: "text/html" } });
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toContain("PAID-PART-TWO");
    expect((await getAdminArticle(SLUG)).published).toBe(false);
  });
});

describe("the front page", () => {
  it("shows a published edit within a second, with a fresh nonce per answer", async () => {
    const first = await fetch(url("/"));
    const firstHtml = await first.text();
    const second = await fetch(url("/"));
    const secondHtml = await second.text();
    expect(nonces(first, firstHtml).inPage).toEqual([nonces(first, firstHtml).csp]);
    expect(nonces(second, secondHtml).inPage).toEqual([nonces(second, secondHtml).csp]);
    expect(nonces(first, firstHtml).csp).not.toBe(nonces(second, secondHtml).csp);

    const title = "Harbour lights at midnight";
    await updateArticle(SLUG, form({ title, published: true }));
    const edited = Date.now();
    let shown = -1;
    while (Date.now() - edited < 3_000) {
      if ((await (await fetch(url("/"))).text()).includes(title)) {
        shown = Date.now() - edited;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(shown).toBeGreaterThanOrEqual(0);
    expect(shown).toBeLessThan(1_000 + 200);
  });
});

describe("/about", () => {
  it("is the build's prerendered file, with a CSP naming its inline scripts by hash", async () => {
    const res = await fetch(url("/about"));
    const html = await res.text();
    expect(res.status).toBe(200);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).not.toContain("nonce-");
    expect(csp).toMatch(/script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+;/);
    const { createHash } = await import("node:crypto");
    const inline = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)].filter(
      (m) => !/\bsrc=/.test(m[1]!),
    );
    expect(inline.length).toBeGreaterThan(0);
    for (const m of inline) {
      const hash = createHash("sha256").update(m[2]!).digest("base64");
      expect(csp).toContain(`'sha256-${hash}'`);
    }
    // The same bytes for everyone: a file, not a render.
    expect(await (await fetch(url("/about"))).text()).toBe(html);
  });
});

describe("the paywall of a paid image or API route, for a browser", () => {
  it("is the React paywall with its own nonce, the RDN-* headers and the x402 envelope", async () => {
    const prices = (await (await fetch(url("/api/1/prices"))).json()) as {
      resources: { path: string; kind: string; price: string }[];
    };
    const media = prices.resources.find((r) => r.kind === "media")!;
    expect(media).toBeDefined();
    for (const [path, price, text] of [
      [media.path, media.price, "This image is paid for on its own."],
      ["/api/echo/fix/hello", undefined, "This is a paid API route"],
    ] as const) {
      const res = await fetch(url(path), { headers: { accept: "text/html" } });
      const html = await res.text();
      expect(res.status).toBe(402);
      expect(res.headers.get("content-type")).toContain("text/html");
      expect(res.headers.get("rdn-price")).toMatch(/^[0-9]+$/);
      if (price) expect(res.headers.get("rdn-price")).toBe(price);
      expect(res.headers.get("payment-required")).toBeTruthy();
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(html).toContain('data-testid="paywall"');
      expect(html).toContain(text);
      const { csp, inPage } = nonces(res, html);
      expect(csp).toBeTruthy();
      expect(inPage).toEqual([csp]);
    }
    // A program still gets the JSON 402 of the protocol.
    const json = await fetch(url(media.path), { headers: { accept: "application/json" } });
    expect(json.status).toBe(402);
    expect(json.headers.get("content-type")).toContain("application/json");
  });

  it("cannot be requested by itself, whatever the request claims", async () => {
    const page = JSON.stringify({
      path: "/media/x.png",
      kind: "media",
      price: "1",
      reason: "forged",
      rdn: {},
      autoPay: true,
    });
    const attempts: Record<string, string>[] = [
      {},
      { "x-paychan-resource-paywall": page },
      { "x-paychan-resource-paywall": page, "x-paychan-render": "guess" },
    ];
    for (const headers of attempts) {
      const res = await fetch(url("/resource-paywall"), { headers });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain("forged");
    }
  });
});
