/**
 * What an unpaid article answers to plain HTTP clients (no browser, no cookies): a document request
 * (`Accept: text/html`) gets the paywall page with status 402, its teaser and never its body; a
 * JSON client gets the JSON 402 of the protocol with the RDN-* headers. (Browser navigation is
 * covered in reading.spec.ts.)
 */
import { expect, test } from "@playwright/test";
import { ARTICLES, e2eState } from "../helpers/wallet-flow";

const PATH = "/articles/closing-a-channel";
const PRICE = ARTICLES.closing.price.toString();
const TEASER = "Cooperative closes settle at once";
const BODY = "the site signs a closing proof for the last balance";

test("a document request for an unpaid article gets 402 with the teaser and without the body", async ({
  request,
}) => {
  const res = await request.get(PATH, {
    headers: { accept: "text/html,application/xhtml+xml" },
    maxRedirects: 0,
  });
  expect(res.status()).toBe(402);
  expect(res.headers()["content-type"]).toContain("text/html");
  expect(res.headers()["rdn-price"]).toBe(PRICE);
  expect(res.headers()["rdn-contract-address"]?.toLowerCase()).toBe(
    e2eState().deployment.contract.toLowerCase(),
  );
  expect(res.headers()["cache-control"]).toContain("no-store");
  const html = await res.text();
  expect(html).toContain(TEASER);
  expect(html).toContain('data-testid="paywall"');
  expect(html).toContain(`data-price="${PRICE}"`);
  expect(html).not.toContain(BODY);
  expect(html).not.toContain('data-testid="article-body"');
});

test("a JSON client gets the JSON 402 with the price and no article", async ({ request }) => {
  for (const accept of ["application/json", "*/*"]) {
    const res = await request.get(PATH, { headers: { accept }, maxRedirects: 0 });
    expect(res.status(), accept).toBe(402);
    expect(res.headers()["content-type"]).toContain("application/json");
    expect(res.headers()["rdn-price"]).toBe(PRICE);
    const body = (await res.json()) as { error?: unknown; price?: unknown };
    expect(typeof body.error).toBe("string");
    expect(String(body.price)).toBe(PRICE);
    expect(JSON.stringify(body)).not.toContain(BODY);
    expect(JSON.stringify(body)).not.toContain(TEASER);
  }
});

test("a HEAD request announces the price without paying or a body", async ({ request }) => {
  const res = await request.head(PATH, { headers: { accept: "text/html" } });
  expect(res.status()).toBe(402);
  expect(res.headers()["rdn-price"]).toBe(PRICE);
  expect((await res.body()).length).toBe(0);
});
