/**
 * Auto-pay's limits in Chromium against the production build, with the site, the reader or a
 * third party misbehaving: a page of another origin that opens and walks the site (auto-pay waits
 * for the reader's click), a site that keeps each proof and asks again (stand-in: the article's
 * paid request answered in the browser), and two tabs paying at once under one cap. Each reader is
 * a new account whose auto-pay channel, session key and setting are seeded as the open form
 * leaves them (tests/helpers/e2e-channels.ts).
 */
import { expect, test, type Page } from "@playwright/test";
import { autoPayReaderPage, autoPaySpent, thirdPartyPage } from "../helpers/e2e-channels";
import { ARTICLES, CENT, shot, TOKEN } from "../helpers/wallet-flow";

test.describe.configure({ timeout: 120_000 });

test("a page of another site that opens and walks the site pays nothing without the reader's click", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  await autoPayReaderPage(context, baseURL!, { maxPerArticle: 2n * TOKEN, cap: 10n * TOKEN });
  const site = new URL(baseURL!).origin;
  const third = await thirdPartyPage(`<!doctype html><title>Revenue share</title>
    <script>
      const w = window.open(${JSON.stringify(site + ARTICLES.why.path)}, "reader");
      window.walk = (path) => { w.location.href = ${JSON.stringify(site)} + path; };
    </script>`);
  try {
    const opener = await context.newPage();
    const [popup] = await Promise.all([context.waitForEvent("page"), opener.goto(third.url)]);
    await popup.waitForLoadState();
    await expect(popup.getByTestId("auto-pay-button")).toBeVisible({ timeout: 20_000 });
    await expect(popup.getByTestId("paywall-status")).toContainText("opened by another site");
    await expect(popup.getByTestId("article-body")).toHaveCount(0);
    await shot(popup, "autopay-opened-by-another-site");

    // The third party walks the window on to another article: still nothing paid.
    await opener.evaluate(
      (path) => (window as unknown as { walk(p: string): void }).walk(path),
      ARTICLES.the402.path,
    );
    await expect(popup).toHaveURL(new RegExp(`${ARTICLES.the402.path}$`));
    await expect(popup.getByTestId("auto-pay-button")).toBeVisible({ timeout: 20_000 });
    await popup.waitForTimeout(1500);
    await expect(popup.getByTestId("article-body")).toHaveCount(0);
    expect(await autoPaySpent(popup)).toBe(0n);

    // The reader's own click pays, without a wallet.
    await popup.getByTestId("auto-pay-button").click();
    await expect(popup.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
    expect(await autoPaySpent(popup)).toBe(ARTICLES.the402.price);

    // A navigation within the site is the reader's own reading: paid at once.
    await popup.evaluate((path) => (window.location.href = path), ARTICLES.why.path);
    await expect(popup.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
    expect(await autoPaySpent(popup)).toBe(ARTICLES.the402.price + ARTICLES.why.price);
  } finally {
    await third.stop();
    await context.close();
  }
});

test("a site that keeps each proof and asks again gets no more than the reader's limits", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  // The 5-cent article fits the maximum once; the 3-cent one twice; the cap leaves room for three
  // of those payments, not four.
  const cap = 14n * CENT;
  const page = await autoPayReaderPage(context, baseURL!, { maxPerArticle: 6n * CENT, cap });
  // The stand-in: every paid request for an article is kept and answered with a 402 that names
  // the very proof just sent as the site's last one.
  const kept: bigint[] = [];
  await context.route(/\/articles\//, async (route) => {
    const req = route.request();
    const headers = req.headers();
    const signature = headers["rdn-balance-signature"];
    if (!signature) return route.fallback();
    kept.push(BigInt(headers["rdn-sender-balance"] ?? headers["rdn-balance"] ?? "0"));
    const unpaid = { ...headers };
    for (const name of Object.keys(unpaid)) if (name.startsWith("rdn-")) delete unpaid[name];
    const real = await route.fetch({ headers: unpaid });
    await route.fulfill({
      status: 402,
      headers: {
        ...real.headers(),
        "rdn-sender-address": headers["rdn-sender-address"]!,
        "rdn-sender-balance": headers["rdn-sender-balance"] ?? headers["rdn-balance"]!,
        "rdn-balance-signature": signature,
      },
      body: await real.body(),
    });
  });

  await page.goto(ARTICLES.the402.path);
  await expect(page.getByTestId("paywall-error")).toContainText("did not serve it", {
    timeout: 30_000,
  });
  await shot(page, "autopay-site-kept-proof");
  // One signature: a second for the same article would pass the per-article maximum.
  expect(kept).toEqual([5n * CENT]);

  await page.goto(ARTICLES.why.path);
  await expect(page.getByTestId("paywall-error")).toContainText("did not serve it", {
    timeout: 30_000,
  });
  // 3 cents signed, kept, re-signed once (6 cents for the article is within its maximum), kept again.
  expect(kept).toEqual([5n * CENT, 8n * CENT, 11n * CENT]);

  // The cap (14 cents) leaves no room for another 5-cent article: nothing more is signed.
  await page.goto(ARTICLES.the402.path);
  await expect(page.getByTestId("paywall-status")).toContainText("spending cap", {
    timeout: 20_000,
  });
  expect(kept).toHaveLength(3);
  const spent = await autoPaySpent(page);
  expect(spent).toBe(11n * CENT);
  expect(kept.at(-1)!).toBeLessThanOrEqual(cap);
  await context.close();
});

test("two tabs paying at once never pass the cap together", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  const cap = 6n * CENT; // room for the 5-cent article or the 3-cent one, not both
  const first = await autoPayReaderPage(context, baseURL!, { maxPerArticle: 2n * TOKEN, cap });
  const second = await context.newPage();
  await Promise.all([first.goto(ARTICLES.the402.path), second.goto(ARTICLES.why.path)]);
  // Each tab settles: the article, or the paywall saying why auto-pay stopped.
  const settled = async (page: Page) => {
    await expect(
      page
        .getByTestId("article-body")
        .or(page.getByTestId("paywall-error"))
        .or(page.getByTestId("paywall-status").filter({ hasText: "spending cap" })),
    ).toBeVisible({ timeout: 30_000 });
    return (await page.getByTestId("article-body").count()) > 0;
  };
  const paid = (await Promise.all([settled(first), settled(second)])).filter(Boolean);
  await shot(first, "autopay-two-tabs-first");
  await shot(second, "autopay-two-tabs-second");
  expect(paid).toHaveLength(1);
  const spent = await autoPaySpent(first);
  expect(spent).toBeLessThanOrEqual(cap);
  expect(spent).toBeGreaterThan(0n);
  await context.close();
});
