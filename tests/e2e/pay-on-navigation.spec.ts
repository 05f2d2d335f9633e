/**
 * Paying on the navigation itself (lib/browser/pay-worker.ts), in Chromium against the production
 * build: once auto-pay is on, the service worker adds the proof to the reader's own click on an
 * article, so the article comes back in the click's one request and the paywall never shows. It
 * never pays a prefetch, a navigation another site starts, or anything once auto-pay is off.
 */
import { expect, test, type Page } from "@playwright/test";
import { autoPayReaderPage, autoPaySpent, thirdPartyPage } from "../helpers/e2e-channels";
import { ARTICLES, markDocument, sameDocument, shot, TOKEN } from "../helpers/wallet-flow";

test.describe.configure({ timeout: 120_000 });

/** Records in the page whether the paywall was ever shown (`window.__paywallSeen`). */
const PAYWALL_WATCH = `(() => {
  const seen = () => {
    if (document.querySelector('[data-testid="paywall"]')) window.__paywallSeen = true;
  };
  new MutationObserver(seen).observe(document, { childList: true, subtree: true });
})()`;

const paywallSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { __paywallSeen?: boolean }).__paywallSeen === true);

/** A link to `path` added to the page and clicked as the reader would (a document navigation). */
async function clickNewLink(page: Page, path: string, target?: string): Promise<void> {
  await page.evaluate(
    ({ path, target }) => {
      const a = document.createElement("a");
      a.href = path;
      a.textContent = "next article";
      document.getElementById("test-link")?.remove();
      a.id = "test-link";
      if (target) a.target = target;
      document.body.prepend(a);
    },
    { path, target },
  );
  await page.locator("#test-link").click();
}

test("with auto-pay on, the reader's click returns the paid article in one request", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  await context.addInitScript(PAYWALL_WATCH);
  const page = await autoPayReaderPage(context, baseURL!, {
    maxPerArticle: 1n * TOKEN,
    cap: 5n * TOKEN,
  });
  // The first article is paid by the paywall (typed address), which installs the worker.
  await page.goto(ARTICLES.the402.path);
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
    timeout: 20_000,
  });
  expect(await autoPaySpent(page)).toBe(ARTICLES.the402.price);

  // A page full of article links: the router prefetches them, and nothing is paid for that.
  await page.goto("/?q=channel");
  const link = page.locator(`a[href="${ARTICLES.why.path}"]`).first();
  await expect(link).toBeVisible();
  await link.hover();
  await page.waitForTimeout(1500);
  expect(await autoPaySpent(page)).toBe(ARTICLES.the402.price);

  // The click, in the client router: the article and no paywall, in the same document.
  const paidRequests: string[] = [];
  context.on("request", (req) => {
    if (req.headers()["rdn-balance-signature"]) paidRequests.push(new URL(req.url()).pathname);
  });
  await markDocument(page);
  await link.click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await expect(page).toHaveURL(new RegExp(`${ARTICLES.why.path}$`));
  expect(await sameDocument(page)).toBe(true);
  expect(await paywallSeen(page)).toBe(false);
  expect(await autoPaySpent(page)).toBe(ARTICLES.the402.price + ARTICLES.why.price);
  await shot(page, "pay-on-navigation-client-click");

  // A link clicked as a document navigation (here a new tab) is the reader's own too.
  const [tab] = await Promise.all([
    context.waitForEvent("page"),
    clickNewLink(page, ARTICLES.closing.path, "_blank"),
  ]);
  await expect(tab.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  expect(await paywallSeen(tab)).toBe(false);
  const spentSoFar = ARTICLES.the402.price + ARTICLES.why.price + ARTICLES.closing.price;
  expect(await autoPaySpent(page)).toBe(spentSoFar);
  // The site's own record: each article was paid once, and the history names each.
  const history = await page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const req = indexedDB.open("paychan", 1);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const all = req.result.transaction("history").objectStore("history").getAll();
          all.onsuccess = () => resolve((all.result as { path: string }[]).map((h) => h.path));
          all.onerror = () => reject(all.error);
        };
      }),
  );
  expect(history.sort()).toEqual(
    [ARTICLES.the402.path, ARTICLES.why.path, ARTICLES.closing.path].sort(),
  );
  expect(paidRequests.filter((p) => p === ARTICLES.why.path)).toHaveLength(1);

  // Reading it again uses its receipt: nothing more is paid.
  await tab.reload();
  await expect(tab.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  expect(await autoPaySpent(page)).toBe(spentSoFar);

  // Another site opens an article in a window of its own: the worker pays nothing, the paywall
  // waits for the reader's click.
  const third = await thirdPartyPage(`<!doctype html><title>Elsewhere</title>
    <script>window.open(${JSON.stringify(new URL(ARTICLES.france.path, baseURL).href)}, "reader");</script>`);
  try {
    const opener = await context.newPage();
    const [walked] = await Promise.all([context.waitForEvent("page"), opener.goto(third.url)]);
    await expect(walked.getByTestId("auto-pay-button")).toBeVisible({ timeout: 20_000 });
    await walked.waitForTimeout(1000);
    expect(await autoPaySpent(page)).toBe(spentSoFar);
    await expect(walked.getByTestId("article-body")).toHaveCount(0);
    await walked.close();
    await opener.close();
  } finally {
    await third.stop();
  }

  // Auto-pay turned off: the next click pays nothing and shows the paywall.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const req = indexedDB.open("paychan", 1);
        req.onerror = () => reject(req.error);
        req.onsuccess = () => {
          const store = req.result.transaction("autopay", "readwrite").objectStore("autopay");
          const all = store.getAll();
          all.onsuccess = () => {
            for (const row of all.result as { enabled: boolean }[])
              store.put({ ...row, enabled: false });
            store.transaction.oncomplete = () => resolve();
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
  await clickNewLink(page, ARTICLES.france.path);
  await expect(page.getByTestId("paywall")).toBeVisible({ timeout: 20_000 });
  await page.waitForTimeout(1000);
  await expect(page.getByTestId("article-body")).toHaveCount(0);
  expect(await autoPaySpent(page)).toBe(spentSoFar);
  await context.close();
});

test("a paid image or API route opened in the browser gets the same paywall, and shows what was bought", async ({
  browser,
  baseURL,
}) => {
  const context = await browser.newContext({ baseURL });
  const page = await autoPayReaderPage(context, baseURL!, {
    maxPerArticle: 1n * TOKEN,
    cap: 5n * TOKEN,
  });
  const prices = (await (await page.request.get("/api/1/prices")).json()) as {
    resources: { path: string; kind: string; price: string }[];
  };
  const media = prices.resources.find((r) => r.kind === "media")!;

  // Opened by its address (the reader's own navigation): auto-pay pays, the image shows in place.
  const res = await page.goto(media.path);
  expect(res?.status()).toBe(402);
  await expect(page.getByTestId("paywall")).toBeVisible();
  const image = page.getByTestId("bought").locator("img");
  await expect(image).toBeVisible({ timeout: 30_000 });
  expect(await image.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  expect(await autoPaySpent(page)).toBe(BigInt(media.price));
  await shot(page, "paid-image-bought");

  // A paid API route: its answer is shown as text.
  await page.goto("/api/echo/fix/hello");
  await expect(page.getByTestId("bought")).toContainText("hello", { timeout: 30_000 });
  await context.close();
});
