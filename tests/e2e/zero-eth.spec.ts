/**
 * A reader's whole first visit with no ETH at all, in real Chromium with the injected test wallet:
 * test dollars from the site's faucet, a channel opened through the site's relay with one
 * signature, five articles read with no further prompt, and the channel closed from the wallet
 * page by the site. The wallet's prompts and transactions are counted and printed; afterwards the
 * reader's ETH is still 0 and their dollars are what the faucet gave minus what they read.
 */
import { expect, test, type Page } from "@playwright/test";
import { PROMPT_METHODS } from "../helpers/test-wallet";
import {
  anvilAddress,
  ARTICLES,
  chainClient,
  connectOnPaywall,
  dropEth,
  openWalletPage,
  RECEIVER,
  shot,
  TOKEN,
  tokenBalance,
  walletSession,
} from "../helpers/wallet-flow";

test.describe.configure({ timeout: 180_000 });

/** Anvil account 11 is this test's alone (beyond the wallet tests' 1–9). */
const ACCOUNT = 11;
const READER = anvilAddress(ACCOUNT);

/** The five articles read, in order. */
const PATHS = [
  ARTICLES.the402.path,
  ARTICLES.why.path,
  ARTICLES.closing.path,
  ARTICLES.france.path,
  "/articles/germany",
];

/** What the faucet grants: 20 whole tokens. */
const FAUCET_GRANT = 20n * TOKEN;

/** The price an unpaid request for `path` is quoted (`RDN-Price`). */
async function priceOf(baseURL: string, path: string): Promise<bigint> {
  const res = await fetch(`${baseURL}${path}`, { headers: { accept: "application/json" } });
  expect(res.status, path).toBe(402);
  return BigInt(res.headers.get("rdn-price") ?? "-1");
}

async function openPaywall(page: Page, path: string) {
  const res = await page.goto(path);
  expect(res?.status(), path).toBe(402);
}

test("no ETH anywhere: faucet, one signature to open, five articles, closed by the site", async ({
  browser,
  baseURL,
}) => {
  const client = chainClient();
  await dropEth(READER);
  const prices = await Promise.all(PATHS.map((p) => priceOf(baseURL!, p)));
  const paid = prices.reduce((a, b) => a + b, 0n);

  const { context, page, wallet } = await walletSession(browser, ACCOUNT, baseURL!);

  await openPaywall(page, PATHS[0]!);
  await connectOnPaywall(page);
  // No ETH: the relay is the only way to open, and test tokens come from the site's faucet.
  await expect(page.getByTestId("open-via-relay-only")).toBeVisible({ timeout: 20_000 });
  await page.getByTestId("deposit-input").fill("1");
  await page.getByTestId("get-test-tokens").click();
  await expect(page.getByTestId("paywall-status")).toHaveText("You received $20.00.", {
    timeout: 30_000,
  });
  expect(await tokenBalance(READER)).toBe(FAUCET_GRANT);

  await page.getByTestId("mode-auto").check();
  await page.getByTestId("per-article-max").fill("0.25");
  await page.getByTestId("spending-cap").fill("1");
  await shot(page, "zero-eth-open-form");
  await page.getByTestId("open-channel").click();
  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  expect(wallet.typedDataSigned()).toEqual(["ReceiveWithAuthorization"]);

  // Four more articles: auto-pay with the session key, no wallet prompt.
  const promptsAfterOpen = wallet.calls.filter((c) =>
    (PROMPT_METHODS as readonly string[]).includes(c.method),
  ).length;
  for (const path of PATHS.slice(1)) {
    await openPaywall(page, path);
    await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  }
  await shot(page, "zero-eth-fifth-article");
  const promptsWhileReading =
    wallet.calls.filter((c) => (PROMPT_METHODS as readonly string[]).includes(c.method)).length -
    promptsAfterOpen;
  expect(promptsWhileReading).toBe(0);

  // The wallet page: only the close the site sends is offered.
  await openWalletPage(page);
  const card = page.getByTestId("wallet-channel");
  await expect(card).toHaveCount(1, { timeout: 30_000 });
  await expect(card).toHaveAttribute("data-state", "open", { timeout: 20_000 });
  await expect(card.getByTestId("wallet-close")).toHaveCount(0);
  const receiverBefore = await tokenBalance(RECEIVER);
  await card.getByTestId("wallet-close-relayed").click();
  await expect(card).toHaveAttribute("data-state", "settled", { timeout: 30_000 });
  await shot(page, "zero-eth-closed");

  const prompts = Object.fromEntries(PROMPT_METHODS.map((m) => [m, wallet.count(m)]));
  const transactions = wallet.transactions().length;
  console.log(
    `zero-ETH reader: wallet prompts ${JSON.stringify(prompts)} (typed data: ${wallet
      .typedDataSigned()
      .join(
        ", ",
      )}), transactions ${transactions}, paid ${paid} base units for ${PATHS.length} articles`,
  );
  // One prompt in the whole visit (the deposit authorization); nothing sent by the reader.
  expect(wallet.typedDataSigned()).toEqual(["ReceiveWithAuthorization"]);
  expect(wallet.count("personal_sign")).toBe(0);
  expect(transactions).toBe(0);
  expect(await client.getBalance({ address: READER })).toBe(0n);
  expect(await tokenBalance(READER)).toBe(FAUCET_GRANT - paid);
  expect((await tokenBalance(RECEIVER)) - receiverBefore).toBe(paid);
  await context.close();
});
