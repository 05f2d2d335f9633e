/**
 * Paying articles from a wallet through the paywall island, in Chromium against the production
 * build: connect (RainbowKit → MetaMask), get test tokens, open a channel, pay in auto-pay and
 * confirm-each modes, top up, and resume after a reload or in another browser.
 * Each test has its own anvil account (4–7) and a fresh browser context.
 */
import { expect, test, type Page } from "@playwright/test";
import {
  ARTICLES,
  connectOnPaywall,
  e2eState,
  markDocument,
  mintAndOpen,
  sameDocument,
  shot,
  walletSession,
} from "../helpers/wallet-flow";
import type { TestWallet } from "../helpers/test-wallet";

test.describe.configure({ timeout: 120_000 });

const step = (page: Page, name: string) =>
  page.locator(`[data-testid=open-steps] li[data-step=${name}]`);

/** The wallet's transactions split by target: the token's mint, the channel contract's calls. */
function transactionsByTarget(wallet: TestWallet) {
  const { token, contract } = e2eState().deployment;
  const txs = wallet.transactions();
  const to = (a: string) => txs.filter((t) => t.to?.toLowerCase() === a.toLowerCase());
  return { all: txs.length, mint: to(token).length, channel: to(contract).length };
}

/** Opens `path` unpaid: the paywall page with status 402. */
async function openPaywall(page: Page, path: string) {
  const res = await page.goto(path);
  expect(res?.status()).toBe(402);
}

test("auto-pay: one transaction and one permit, then articles without a prompt up to the cap", async ({
  browser,
  baseURL,
}) => {
  const { context, page, wallet } = await walletSession(browser, 4, baseURL!);
  await openPaywall(page, ARTICLES.the402.path);
  await expect(page.getByTestId("paywall")).toBeVisible();
  await expect(page.getByTestId("article-body")).toHaveCount(0);
  await expect(page.getByTestId("wallet-connect")).toBeVisible();
  await shot(page, "paywall");
  await markDocument(page);

  await connectOnPaywall(page, "connect-dialog");
  await expect(page.getByTestId("get-test-tokens")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("open-channel")).toBeDisabled();
  await shot(page, "paywall-connected");

  await page.getByTestId("deposit-input").fill("10");
  await page.getByTestId("get-test-tokens").click();
  await expect(page.getByTestId("paywall-status")).toContainText("You received", {
    timeout: 20_000,
  });
  await page.getByTestId("mode-auto").check();
  // The reader's own transaction (the relay's one signature is wallet-relay.spec.ts's).
  await page.getByTestId("open-via-self").check();
  await expect(page.getByTestId("per-article-max")).toBeVisible();
  // A cap of exactly the three articles' prices (5 + 3 + 8 cents).
  await page.getByTestId("spending-cap").fill("0.16");
  await shot(page, "auto-open-form");

  // The open's transaction is held like an unanswered wallet prompt, to look at the steps.
  const opening = wallet.hold("eth_sendTransaction");
  await page.getByTestId("open-channel").click();
  await opening.reached;
  await expect(page.getByTestId("open-steps")).toBeVisible();
  await expect(step(page, "permit")).not.toHaveAttribute("data-state", "pending");
  await expect(step(page, "site")).toHaveAttribute("data-state", "pending");
  await shot(page, "auto-opening-steps");
  opening.release();

  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("paywall")).toHaveCount(0);
  // router.refresh() swapped the article in: still the same document.
  expect(await sameDocument(page)).toBe(true);
  await shot(page, "auto-article");

  // Two more articles: the island pays by itself with the session key.
  for (const article of [ARTICLES.why, ARTICLES.closing]) {
    await openPaywall(page, article.path);
    await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  }

  // A fourth article would pass the cap: not paid, and the island says why.
  await openPaywall(page, ARTICLES.france.path);
  await expect(page.getByTestId("paywall-status")).toHaveText(
    "Auto-pay did not pay this article: it would pass your spending cap ($0.16 of $0.16 spent). Raise the cap or pay it yourself.",
    { timeout: 20_000 },
  );
  await expect(page.getByTestId("article-body")).toHaveCount(0);
  await shot(page, "auto-over-cap");
  // Raising the cap lets auto-pay pay it, still without a wallet prompt.
  await page.getByTestId("autopay-settings").click();
  await page.getByTestId("spending-cap").fill("10");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });

  const txs = transactionsByTarget(wallet);
  expect(txs).toEqual({ all: 2, mint: 1, channel: 1 });
  expect(wallet.typedDataSigned()).toEqual(["Permit"]);
  expect(wallet.count("personal_sign")).toBe(0);
  await context.close();
});

test("confirm each payment: one BalanceProof signature per article", async ({
  browser,
  baseURL,
}) => {
  const { context, page, wallet } = await walletSession(browser, 5, baseURL!);
  await openPaywall(page, ARTICLES.the402.path);
  await connectOnPaywall(page);
  // The reader first declines the permit: explained, nothing sent, and the open can be retried.
  wallet.rejectNext("eth_signTypedData_v4");
  await mintAndOpen(page, { deposit: "10", mode: "confirm", screenshots: "confirm" });
  await expect(page.getByTestId("paywall-error")).toHaveText(
    "You declined the request in your wallet. Nothing was sent.",
  );
  await expect(step(page, "permit")).toHaveAttribute("data-state", "error");
  await expect(page.getByTestId("open-channel")).toBeEnabled();
  await shot(page, "confirm-declined");
  expect(transactionsByTarget(wallet).channel).toBe(0);
  await page.getByTestId("open-channel").click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId("paywall-error")).toHaveCount(0);
  // The declined permit, the permit of the open, the first article's proof.
  expect(wallet.typedDataSigned()).toEqual(["Permit", "Permit", "BalanceProof"]);

  for (const [i, article] of [ARTICLES.why, ARTICLES.closing].entries()) {
    await openPaywall(page, article.path);
    // Nothing pays by itself in this mode: one click asks the wallet, which signs the proof.
    const pay = page.getByTestId("wallet-connect");
    await expect(pay).toHaveText(/^Pay .+ with your wallet$/);
    if (i === 0) await shot(page, "confirm-pay-button");
    const signed = wallet.typedDataSigned().length;
    await pay.click();
    await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
    expect(wallet.typedDataSigned().length).toBe(signed + 1);
  }
  expect(wallet.typedDataSigned()).toEqual([
    "Permit",
    "Permit",
    "BalanceProof",
    "BalanceProof",
    "BalanceProof",
  ]);
  expect(transactionsByTarget(wallet)).toEqual({ all: 2, mint: 1, channel: 1 });
  await context.close();
});

test("top-up: the channel runs short, the reader tops up and the article is paid", async ({
  browser,
  baseURL,
}) => {
  const { context, page, wallet } = await walletSession(browser, 6, baseURL!);
  await openPaywall(page, ARTICLES.the402.path);
  await connectOnPaywall(page);
  // 8 cents: the 5-cent article, then the 3-cent one, and nothing is left.
  await mintAndOpen(page, { deposit: "0.08", mode: "auto" });
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  await openPaywall(page, ARTICLES.why.path);
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });

  // 8 cents with 0 left: no automatic payment, the top-up is offered.
  await openPaywall(page, ARTICLES.closing.path);
  await expect(page.getByTestId("channel-state")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("wallet-connect")).toBeVisible();
  await page.getByTestId("wallet-connect").click();
  const topUpInput = page.getByTestId("topup-input");
  await expect(topUpInput).toBeVisible({ timeout: 20_000 });
  await shot(page, "topup-offer");
  // Less than what is missing is refused in words.
  await topUpInput.fill("0.05");
  await page.getByTestId("topup-button").click();
  await expect(page.getByText("Add at least $0.08")).toBeVisible();
  const before = transactionsByTarget(wallet).channel;
  await topUpInput.fill("5");
  await page.getByTestId("topup-via-self").check();
  // Declined in the wallet first: explained, and the offer stays.
  wallet.rejectNext("eth_sendTransaction");
  await page.getByTestId("topup-button").click();
  await expect(page.getByTestId("paywall-error")).toHaveText(
    "You declined the request in your wallet. Nothing was sent.",
  );
  await expect(page.getByTestId("topup-button")).toBeEnabled();
  await expect(page.getByTestId("channel-state").locator("dd").first()).toHaveText("$0.08");
  await page.getByTestId("topup-button").click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  // The declined request and the top-up.
  expect(transactionsByTarget(wallet).channel).toBe(before + 2);
  // Permits of the open and of both top-up attempts; the session key signs every proof.
  expect(wallet.typedDataSigned()).toEqual(["Permit", "Permit", "Permit"]);
  await context.close();
});

test("resume: auto-pay after a reload; another browser finds the channel but not its key", async ({
  browser,
  baseURL,
}) => {
  const { context, page, wallet } = await walletSession(browser, 7, baseURL!);
  await openPaywall(page, ARTICLES.the402.path);
  await connectOnPaywall(page);
  await mintAndOpen(page, { deposit: "10", mode: "auto" });
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });

  await page.reload();
  await expect(page.getByTestId("article-body")).toBeVisible();
  const prompts = wallet.calls.length;
  await openPaywall(page, ARTICLES.why.path);
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  expect(wallet.calls.slice(prompts).map((c) => c.method)).toEqual([]);

  // Another browser (empty IndexedDB) of the same wallet account.
  const other = await walletSession(browser, 7, baseURL!);
  await openPaywall(other.page, ARTICLES.closing.path);
  await expect(other.page.getByTestId("wallet-connect")).toBeVisible({ timeout: 20_000 });
  await connectOnPaywall(other.page);
  const lost = other.page.getByTestId("lost-key");
  await expect(lost).toBeVisible({ timeout: 30_000 });
  await expect(lost).toContainText("session key");
  await expect(lost.getByRole("link", { name: "wallet page" })).toHaveAttribute("href", "/wallet");
  // The channel's deposit is on chain, but what it spent is only known where its key is.
  const facts = other.page.getByTestId("channel-state");
  await expect(facts.locator("dd")).toHaveText([
    "$10.00",
    "not known in this browser",
    "not known in this browser",
  ]);
  await expect(other.page.getByTestId("article-body")).toHaveCount(0);
  await shot(other.page, "lost-key");
  await other.context.close();
  await context.close();
});
