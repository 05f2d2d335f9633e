/**
 * The reading pages' layout on a wide and a phone-sized screen: nothing scrolls sideways, the key
 * facts sit beside the text on a wide screen and between the lead and the text on a narrow one,
 * and the paywall lists the article's sections. Screenshots go to test-results/screenshots/.
 * Also /random: a free redirect to a published article, drawn again on every request.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import { autoPayReaderPage } from "../helpers/e2e-channels";
import { ARTICLES, shot, TOKEN } from "../helpers/wallet-flow";

test.describe.configure({ timeout: 120_000 });

const SCREENS = [
  { name: "wide", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** The page does not scroll sideways: nothing is wider than the window. */
async function expectNoSideScroll(page: Page, what: string): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `${what}: scrollWidth ${scrollWidth} > ${innerWidth}`).toBeLessThanOrEqual(
    innerWidth,
  );
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  expect(b).not.toBeNull();
  return b!;
}

/**
 * Wide: the key facts are a column right of the text (or paywall), the text at least 600 px wide.
 * Narrow: the facts span the page's width after the lead, before the paid text or after the
 * paywall, and the text keeps the page's width. The lead is the teaser, or the header when the
 * paid text opens with the teaser's words (they are shown once, in the text).
 */
async function expectFactsPlaced(page: Page, wide: boolean, paywall: boolean): Promise<void> {
  const facts = await box(page.getByTestId("infobox"));
  const main = await box(page.locator(".article-main"));
  const teaser = page.getByTestId("article-teaser");
  const hasTeaser = (await teaser.count()) > 0;
  const lead = await box(hasTeaser ? teaser : page.locator(".article-header"));
  if (wide) {
    expect(facts.x).toBeGreaterThanOrEqual(main.x + main.width);
    expect(main.width).toBeGreaterThanOrEqual(600);
    // Beside the lead (or level with the text's start), and the text follows without waiting
    // for the facts to end.
    if (hasTeaser) expect(facts.y).toBeLessThan(lead.y + lead.height);
    else expect(Math.abs(facts.y - main.y)).toBeLessThanOrEqual(2);
    expect(main.y).toBeLessThan(facts.y + facts.height);
  } else {
    expect(Math.abs(facts.width - main.width)).toBeLessThanOrEqual(2);
    expect(main.width).toBeGreaterThanOrEqual(340);
    if (paywall) {
      expect(main.y).toBeGreaterThanOrEqual(lead.y + lead.height);
      expect(facts.y).toBeGreaterThanOrEqual(main.y + main.height);
    } else {
      expect(facts.y).toBeGreaterThanOrEqual(lead.y + lead.height);
      expect(main.y).toBeGreaterThanOrEqual(facts.y + facts.height);
    }
  }
}

for (const screen of SCREENS) {
  test(`home, paywall and wallet fit a ${screen.width} px screen`, async ({ browser, baseURL }) => {
    const context = await browser.newContext({
      baseURL,
      viewport: { width: screen.width, height: screen.height },
    });
    const page = await context.newPage();

    await page.goto("/");
    await expect(page.getByRole("heading", { name: "Latest articles" })).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Regions" })).toBeVisible();
    await expect(page.getByTestId("random-article")).toBeVisible();
    await expectNoSideScroll(page, "home");
    await shot(page, `layout-home-${screen.width}`);

    await page.goto("/?category=europe");
    await expect(page.getByRole("heading", { name: "Europe", level: 1 })).toBeVisible();
    await expect(page.locator(".article-entry").first()).toBeVisible();
    await expectNoSideScroll(page, "category");
    await shot(page, `layout-category-${screen.width}`);

    const res = await page.goto(ARTICLES.france.path);
    expect(res?.status()).toBe(402);
    const contents = page.getByTestId("article-contents");
    await expect(contents).toBeVisible();
    await expect(contents.getByRole("heading", { name: "In this article" })).toBeVisible();
    await expect(contents.getByRole("listitem")).toContainText([
      "Introduction",
      "Geography",
      "People and Society",
    ]);
    await expect(page.getByTestId("infobox")).toContainText("Paris");
    // Before payment the teaser is what the reader reads of the text.
    await expect(page.getByTestId("article-teaser")).toBeVisible();
    await expect(page.getByTestId("paywall")).toBeVisible();
    await expect(page.getByTestId("article-body")).toHaveCount(0);
    // The island has rendered its first step.
    await expect(page.getByTestId("wallet-connect")).toBeVisible({ timeout: 20_000 });
    await expectFactsPlaced(page, screen.width >= 900, true);
    await expectNoSideScroll(page, "paywall");
    await shot(page, `layout-paywall-${screen.width}`);

    await page.goto("/wallet");
    await expect(page.getByTestId("no-wallet")).toBeVisible({ timeout: 20_000 });
    await expectNoSideScroll(page, "wallet");
    await shot(page, `layout-wallet-${screen.width}`);
    await context.close();
  });
}

test("a paid article fits a wide and a phone-sized screen", async ({ browser, baseURL }) => {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: SCREENS[0].width, height: SCREENS[0].height },
  });
  const page = await autoPayReaderPage(context, baseURL!, {
    maxPerArticle: 1n * TOKEN,
    cap: 5n * TOKEN,
  });
  // Typed address: the paywall's auto-pay pays it, and the article replaces the paywall.
  await page.goto(ARTICLES.france.path);
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("heading", { name: "Geography", level: 2 })).toBeVisible();
  // The text opens with the teaser's words: the paid page shows them once, in the text.
  await expect(page.getByTestId("article-teaser")).toHaveCount(0);
  const opening = await page.getByTestId("article-body").locator("p").first().innerText();
  expect(opening).toMatch(/^France/);
  for (const screen of SCREENS) {
    await page.setViewportSize({ width: screen.width, height: screen.height });
    // Read again with the receipt: the paid page as it renders at this width.
    const res = await page.reload();
    expect(res?.status()).toBe(200);
    await expect(page.getByTestId("article-body")).toBeVisible();
    await expect(page.getByTestId("infobox")).toBeVisible();
    await expectFactsPlaced(page, screen.width >= 900, false);
    await expectNoSideScroll(page, `paid article at ${screen.width}`);
    await shot(page, `layout-article-${screen.width}`);
  }
  await context.close();
});

test("/random redirects to a published article, drawn again on every request", async ({
  page,
  request,
}) => {
  const targets = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const res = await request.get("/random", { maxRedirects: 0 });
    expect(res.status()).toBe(307);
    expect(res.headers()["cache-control"]).toContain("no-store");
    // Free: no price announced.
    expect(res.headers()["rdn-price"]).toBeUndefined();
    const location = res.headers()["location"] ?? "";
    expect(location).toMatch(/^\/articles\/[a-z0-9-]+$/);
    targets.add(location);
  }
  // 8 draws from over 250 articles all alike would be a cached answer (chance ~1e-17).
  expect(targets.size).toBeGreaterThan(1);

  // The article it names exists and is priced as any visit: a document gets the 402 paywall.
  const [first] = targets;
  const direct = await page.goto(first!);
  expect(direct?.status()).toBe(402);

  // The header's link: never prefetched, and following it lands on an article's paywall.
  const asked: string[] = [];
  page.on("request", (req) => asked.push(new URL(req.url()).pathname));
  await page.goto("/");
  const link = page.getByTestId("random-article");
  await link.hover();
  await page.waitForTimeout(1000);
  expect(asked).not.toContain("/random");
  const [landing] = await Promise.all([
    page.waitForResponse((r) => /\/articles\/[a-z0-9-]+$/.test(new URL(r.url()).pathname)),
    link.click(),
  ]);
  expect(landing.status()).toBe(402);
  await expect(page).toHaveURL(/\/articles\/[a-z0-9-]+$/);
  await expect(page.getByTestId("paywall")).toBeVisible();
  await shot(page, "layout-random");
});
