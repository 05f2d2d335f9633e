/**
 * HTTP hardening of the production server (`next start`, started by global-setup.ts): malformed
 * paths answer 400 on every paid route, and the site's security headers reach pages, paid routes
 * and the API; in Chromium the home page runs under its CSP without a single violation.
 */
import { expect, test, type APIResponse } from "@playwright/test";

const MALFORMED = [
  "/api/echo/fix/%ff",
  "/api/echo/dyn/%ff",
  "/articles/%e2%82",
  "/media/%c0%af",
  "/upstream/%ff",
];

for (const path of MALFORMED) {
  test(`${path} answers 400 naming the path`, async ({ request }) => {
    const res = await request.get(path);
    expect(res.status()).toBe(400);
    expect(res.headers()["content-type"]).toContain("application/json");
    const body = await res.json();
    expect(body.error).toContain(path);
    expect(body.error).toMatch(/percent-encoding/);
  });
}

test("a well-formed percent-encoded path still reaches the paid route", async ({ request }) => {
  const res = await request.get("/api/echo/fix/a%20b");
  expect(res.status()).toBe(402);
  expect(res.headers()["rdn-price"]).toBe("5");
});

function expectSecurityHeaders(res: APIResponse): string {
  const h = res.headers();
  const csp = h["content-security-policy"] ?? "";
  expect(csp).toContain("frame-ancestors 'none'");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("same-origin");
  return csp;
}

test("the home page carries a CSP with a per-request nonce that Next puts on its scripts", async ({
  request,
}) => {
  const res = await request.get("/");
  expect(res.status()).toBe(200);
  const csp = expectSecurityHeaders(res);
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  expect(nonce).toBeTruthy();
  expect(csp).toContain("'strict-dynamic'");
  expect(csp).not.toContain("'unsafe-inline' 'nonce");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  const html = await res.text();
  const scripts = html.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  const again = await request.get("/");
  expect(again.headers()["content-security-policy"]).not.toContain(nonce!);
});

test("an article's 402 page and an API 402 carry the site's CSP", async ({ request }) => {
  const article = await request.get("/articles/the-402-status-code", {
    headers: { accept: "text/html" },
  });
  expect(article.status()).toBe(402);
  expect(expectSecurityHeaders(article)).toContain("script-src 'self'");
  expect(article.headers()["cache-control"]).toBe("private, no-store");

  const api = await request.get("/api/echo/fix/hello");
  expect(api.status()).toBe(402);
  expectSecurityHeaders(api);

  const operator = await request.get("/api/1/stats");
  expect(operator.status()).toBe(401);
  expect(expectSecurityHeaders(operator)).toContain("default-src 'none'");
});

test("HEAD on a paid route answers the 402 headers without a body", async ({ request }) => {
  const res = await request.head("/articles/the-402-status-code");
  expect(res.status()).toBe(402);
  expect(res.headers()["rdn-price"]).toBeTruthy();
  expectSecurityHeaders(res);
  expect((await res.body()).byteLength).toBe(0);
});

test("the home page runs under its CSP without a violation", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const w = window as unknown as { __cspViolations?: string[] };
      (w.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  const res = await page.goto("/");
  expect(res?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();
  // The app hydrated: Next's client runtime ran (its scripts were allowed).
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next))
    .toBe("object");
  // A soft navigation (an RSC fetch, no reload) runs under the same policy.
  await page.evaluate(
    () => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true),
  );
  await page.getByRole("link", { name: "Paychan Press" }).click();
  await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();
  expect(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
  ).toBe(true);
  const recorded = await page.evaluate(
    () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
  );
  expect([...violations, ...recorded]).toEqual([]);

  // The not-found page too: a prerendered page would have scripts without the nonce.
  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next))
    .toBe("object");
  expect(violations).toEqual([]);

  // The prerendered /about: no nonce, its inline scripts named by hash; it hydrates and its
  // links navigate in place.
  const about = await page.goto("/about");
  expect(about?.status()).toBe(200);
  expect(about?.headers()["content-security-policy"]).toMatch(/script-src 'self' 'sha256-/);
  await expect
    .poll(() => page.evaluate(() => typeof (window as unknown as { next?: unknown }).next))
    .toBe("object");
  await page.evaluate(
    () => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true),
  );
  await page.getByRole("link", { name: "Back to the articles" }).click();
  await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();
  expect(
    await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument),
  ).toBe(true);
  expect([
    ...violations,
    ...(await page.evaluate(
      () => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? [],
    )),
  ]).toEqual([]);
});
