/**
 * The /wallet page in Chromium against the production build: a channel opened from the paywall is
 * listed with its amounts and closed there, cooperatively (the site signs; token balances checked
 * on chain), or without the site (challenge period, countdown, settle after mining blocks), or by
 * the site's own transaction for a reader without ETH. Anvil accounts 8, 9 and 12, a fresh browser
 * context each.
 */
import { expect, test, type Locator, type Page } from "@playwright/test";
import {
  anvilAddress,
  ARTICLES,
  chainClient,
  connectOnPaywall,
  e2eState,
  mine,
  mintAndOpen,
  openWalletPage,
  RECEIVER,
  shot,
  TOKEN,
  tokenBalance,
  walletSession,
} from "../helpers/wallet-flow";

test.describe.configure({ timeout: 150_000 });

/** The one channel card opened in `openBlock`. */
const card = (page: Page, openBlock: number): Locator =>
  page.locator(`[data-testid=wallet-channel][data-open-block="${openBlock}"]`);

/** The price of the article paid: 5 cents. */
const PRICE = ARTICLES.the402.price;

const units = async (l: Locator) => BigInt((await l.getAttribute("data-base-units")) ?? "-1");

/** Opens a channel of `deposit` dollars from the paywall and pays the 5-cent article. */
async function openAndPay(page: Page, deposit: string): Promise<number> {
  const res = await page.goto(ARTICLES.the402.path);
  expect(res?.status()).toBe(402);
  await connectOnPaywall(page);
  await mintAndOpen(page, { deposit, mode: "confirm" });
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  const store = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open("paychan");
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const all = await new Promise<{ openBlock: number }[]>((resolve, reject) => {
      const req = db.transaction("channels").objectStore("channels").getAll();
      req.onsuccess = () => resolve(req.result as { openBlock: number }[]);
      req.onerror = () => reject(req.error);
    });
    db.close();
    return all.map((c) => c.openBlock);
  });
  expect(store).toHaveLength(1);
  return store[0]!;
}

test("cooperative close: the reader gets deposit − spent back, the site gets what was spent", async ({
  browser,
  baseURL,
}) => {
  const reader = anvilAddress(8);
  const { context, page } = await walletSession(browser, 8, baseURL!);
  const openBlock = await openAndPay(page, "5");

  await openWalletPage(page);
  const channel = card(page, openBlock);
  await expect(channel).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  expect(await units(channel.getByTestId("channel-deposit"))).toBe(5n * TOKEN);
  await expect(channel.getByTestId("channel-spent")).toHaveAttribute(
    "data-base-units",
    PRICE.toString(),
  );
  expect(await units(channel.getByTestId("channel-remaining"))).toBe(5n * TOKEN - PRICE);
  await expect(page.getByTestId("history-row")).toHaveCount(1);
  await shot(page, "wallet-page");

  const readerBefore = await tokenBalance(reader);
  const receiverBefore = await tokenBalance(RECEIVER);
  await channel.getByTestId("wallet-close").click();
  await expect(channel).toHaveAttribute("data-state", "settled", { timeout: 30_000 });
  await expect(page.getByTestId("wallet-status")).toContainText("Channel closed");
  await shot(page, "wallet-page-closed");
  expect((await tokenBalance(reader)) - readerBefore).toBe(5n * TOKEN - PRICE);
  expect((await tokenBalance(RECEIVER)) - receiverBefore).toBe(PRICE);
  await context.close();
});

test("close without the site: challenge period countdown, settle after mining", async ({
  browser,
  baseURL,
}) => {
  const reader = anvilAddress(9);
  const challengePeriod = e2eState().deployment.challengePeriod ?? 500;
  const { context, page } = await walletSession(browser, 9, baseURL!);
  const openBlock = await openAndPay(page, "5");

  // The site does not answer the close request: the reader closes alone.
  await page.route(`**/api/1/channels/${reader}/${openBlock}`, (route) =>
    route.request().method() === "DELETE" ? route.abort() : route.fallback(),
  );
  await openWalletPage(page);
  const channel = card(page, openBlock);
  await expect(channel).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  await channel.getByTestId("wallet-close").click();
  await expect(channel).toHaveAttribute("data-state", "closing", { timeout: 30_000 });
  const countdown = channel.getByTestId("settle-countdown");
  await expect(countdown).toBeVisible();
  await expect(countdown).toHaveAttribute("data-ready", "false");
  await expect(countdown).toHaveAttribute("data-blocks-left", /^[1-9][0-9]*$/, {
    timeout: 20_000,
  });
  const left = Number(await countdown.getAttribute("data-blocks-left"));
  expect(left).toBeGreaterThan(challengePeriod - 10);
  expect(left).toBeLessThanOrEqual(challengePeriod + 1);
  await expect(channel.getByTestId("wallet-settle")).toBeDisabled();
  await shot(page, "wallet-page-closing");

  const readerBefore = await tokenBalance(reader);
  const receiverBefore = await tokenBalance(RECEIVER);
  await mine(challengePeriod + 1);
  await expect(countdown).toHaveAttribute("data-ready", "true", { timeout: 20_000 });
  const settle = channel.getByTestId("wallet-settle");
  await expect(settle).toBeEnabled();
  await settle.click();
  await expect(channel).toHaveAttribute("data-state", "settled", { timeout: 30_000 });
  await shot(page, "wallet-page-settled");
  expect((await tokenBalance(reader)) - readerBefore).toBe(5n * TOKEN - PRICE);
  expect((await tokenBalance(RECEIVER)) - receiverBefore).toBe(PRICE);
  await context.close();
});

test("a reader without ETH closes through the site and gets deposit − spent back", async ({
  browser,
  baseURL,
}) => {
  // An account of its own: no other test funds it (admin.spec's machine payer is account 3).
  const reader = anvilAddress(12);
  const { context, page } = await walletSession(browser, 12, baseURL!);
  const openBlock = await openAndPay(page, "5");
  // The reader spends the last of their ETH elsewhere.
  await chainClient().request({
    method: "anvil_setBalance" as "eth_chainId",
    params: [reader, "0x0"] as unknown as undefined,
  });

  await openWalletPage(page);
  const channel = card(page, openBlock);
  await expect(channel).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  // Without ETH only the close the site sends is offered, and the note says why.
  const relayed = channel.getByTestId("wallet-close-relayed");
  await expect(relayed).toHaveText(
    "Close and get my refund (the site sends the transaction, no ETH needed)",
  );
  await expect(channel.getByTestId("wallet-close")).toHaveCount(0);
  await expect(channel.getByTestId("close-gas-note")).toContainText("needs ETH for gas");
  await shot(page, "wallet-page-no-eth");

  const readerBefore = await tokenBalance(reader);
  const receiverBefore = await tokenBalance(RECEIVER);
  await relayed.click();
  await expect(channel).toHaveAttribute("data-state", "settled", { timeout: 30_000 });
  await expect(page.getByTestId("wallet-status")).toContainText("Channel closed by the site");
  expect((await tokenBalance(reader)) - readerBefore).toBe(5n * TOKEN - PRICE);
  expect((await tokenBalance(RECEIVER)) - receiverBefore).toBe(PRICE);
  expect(await chainClient().getBalance({ address: reader })).toBe(0n);
  await context.close();
});
