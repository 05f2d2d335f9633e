/**
 * The wallet stays connected across the site's client navigations: a reader who pays each article
 * with the wallet (confirm mode) goes paywall → article → /wallet → paywall twenty times and is
 * never asked to connect again, never sees RainbowKit's dialog and never sees "Connect wallet".
 * After closing the channel on /wallet, the next paywall knows the wallet is connected and offers
 * a new channel. Chromium against the production build; anvil account 13.
 */
import { expect, test, type Page } from "@playwright/test";
import { connectOnPaywall, mintAndOpen, shot, walletSession } from "../helpers/wallet-flow";

test.describe.configure({ timeout: 420_000 });

const ROUNDS = 20;

/**
 * Counts, in every document of the context, each time a button reading "Connect wallet" or a
 * dialog appears (`window.__asked`), from the moment {@link resetAsked} runs.
 */
const WATCH_ASKS = () => {
  const w = window as unknown as { __asked: string[]; __watching: boolean };
  w.__asked = [];
  w.__watching = false;
  const seen = new WeakSet<Element>();
  const check = () => {
    if (!w.__watching) return;
    for (const el of document.querySelectorAll("button, [role=dialog]")) {
      if (seen.has(el)) continue;
      // RainbowKit keeps an invisible placeholder of its button while the wallet reconnects.
      if (!el.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
      const text = (el.textContent ?? "").trim();
      const asked =
        el.getAttribute("role") === "dialog"
          ? "dialog"
          : /^connect wallet$/i.test(text)
            ? text
            : "";
      if (!asked) continue;
      seen.add(el);
      w.__asked.push(`${asked} on ${location.pathname}`);
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
};

async function resetAsked(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __asked: string[]; __watching: boolean };
    w.__asked = [];
    w.__watching = true;
  });
}

const asked = (page: Page) =>
  page.evaluate(() => (window as unknown as { __asked: string[] }).__asked);

/** From anywhere in the site: home → all articles → the `n`-th article listed (client router). */
async function openListedArticle(page: Page, n: number): Promise<string> {
  await page.getByRole("link", { name: "Paychan Press" }).click();
  await page.getByTestId("all-articles-link").click();
  await expect(page).toHaveURL(/\?page=1$/);
  const link = page.locator('main a[href^="/articles/"]').nth(n);
  const href = (await link.getAttribute("href"))!;
  await link.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  return href;
}

test("twenty times paywall → paid article → /wallet without being asked to connect again; after a close, a new channel", async ({
  browser,
  baseURL,
}) => {
  const { context, page, wallet } = await walletSession(browser, 13, baseURL!);
  await context.addInitScript(WATCH_ASKS);
  const first = await page.goto("/articles/why-payment-channels");
  expect(first?.status()).toBe(402);
  await connectOnPaywall(page);
  await mintAndOpen(page, { deposit: "10", mode: "confirm" });
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  const proofs = () => wallet.typedDataSigned().filter((t) => t === "BalanceProof").length;
  expect(proofs()).toBe(1);
  await resetAsked(page);
  const loaded = await page.evaluate(() => performance.timeOrigin);

  for (let round = 0; round < ROUNDS; round++) {
    const path = await openListedArticle(page, 3 + round);
    const pay = page.getByTestId("wallet-connect");
    await expect(pay, `round ${round}: ${path}`).toHaveText(/^Pay .+ with your wallet$/);
    await pay.click();
    await expect(page.getByTestId("article-body"), `round ${round}: ${path}`).toBeVisible({
      timeout: 30_000,
    });
    expect(proofs(), `round ${round}: one proof per article`).toBe(2 + round);

    await page.getByRole("link", { name: "Your wallet" }).click();
    await expect(page.getByRole("heading", { name: "Your channels to this site" })).toBeVisible({
      timeout: 20_000,
    });
    await expect(page.getByTestId("wallet-channel").first()).toBeVisible();
    expect(await asked(page), `round ${round}`).toEqual([]);
  }
  // All of it in the one document: client navigations only.
  expect(await page.evaluate(() => performance.timeOrigin)).toBe(loaded);

  // Close the channel on /wallet; the next paywall offers a new channel to the connected wallet.
  const card = page.getByTestId("wallet-channel").first();
  await card.getByTestId("wallet-close").click();
  await expect(card).toHaveAttribute("data-state", "settled", { timeout: 30_000 });
  const path = await openListedArticle(page, 3 + ROUNDS);
  const open = page.getByTestId("wallet-connect");
  await expect(open, path).toHaveText("Open a channel");
  await open.click();
  await expect(page.getByTestId("deposit-input")).toBeVisible({ timeout: 20_000 });
  await shot(page, "steady-after-close");
  expect(await asked(page)).toEqual([]);
  await context.close();
});
