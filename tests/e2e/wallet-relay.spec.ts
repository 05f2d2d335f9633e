/**
 * The paywall through the site's relay, in real Chromium with the injected test wallet: a reader
 * who holds tokens and no ETH is offered the relay alone, signs one ReceiveWithAuthorization (no
 * transaction) and reads the article; their ETH stays 0. The e2e site runs on the demo's
 * DemoDollar (EIP-3009), so the site offers its relay.
 */
import { expect, test } from "@playwright/test";
import { createWalletClient, erc20Abi, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import {
  anvilAddress,
  ARTICLES,
  chainClient,
  connectOnPaywall,
  dropEth,
  e2eState,
  shot,
  TOKEN,
  tokenBalance,
  walletSession,
} from "../helpers/wallet-flow";

test.describe.configure({ timeout: 120_000 });

/** Anvil account 10 is this test's alone (beyond the wallet tests' 1–9). */
const ACCOUNT = 10;
const READER = anvilAddress(ACCOUNT);

test("a reader without ETH opens a channel through the relay: one signature, no transaction", async ({
  browser,
  baseURL,
}) => {
  const prices = (await (await fetch(`${baseURL}/api/1/prices`)).json()) as { relay?: unknown };
  // The demo's DemoDollar implements EIP-3009: the site must offer its relay.
  expect(prices.relay).toBeTruthy();

  const { rpcUrl, deployment } = e2eState();
  const client = chainClient();
  // Tokens from the deployer, and no ETH at all.
  const deployer = createWalletClient({
    account: privateKeyToAccount(ANVIL_KEYS[0]!),
    transport: http(rpcUrl),
  });
  const funding = 5n * TOKEN;
  const hash = await deployer.writeContract({
    chain: null,
    address: deployment.token,
    abi: erc20Abi,
    functionName: "transfer",
    args: [READER, funding],
  });
  await client.waitForTransactionReceipt({ hash });
  await dropEth(READER);

  const { context, page, wallet } = await walletSession(browser, ACCOUNT, baseURL!);
  const res = await page.goto(ARTICLES.the402.path);
  expect(res?.status()).toBe(402);
  await connectOnPaywall(page);

  // Without ETH, the relay is the only way offered, and the reader is told why.
  await expect(page.getByTestId("open-via-relay-only")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByTestId("open-via-self")).toHaveCount(0);
  await page.getByTestId("deposit-input").fill("2");
  await page.getByTestId("mode-auto").check();
  await shot(page, "relay-open-form");

  const signing = wallet.hold("eth_signTypedData_v4");
  await page.getByTestId("open-channel").click();
  await signing.reached;
  await expect(page.getByTestId("open-steps")).toHaveAttribute("data-via", "relay");
  await expect(page.locator("[data-testid=open-steps] li[data-step=permit]")).toContainText(
    "Sign the deposit authorization",
  );
  await shot(page, "relay-opening-steps");
  signing.release();

  await expect(page.getByTestId("article-body")).toBeVisible({ timeout: 30_000 });
  // One wallet prompt: the authorization. The session key signed the proof; nothing was sent.
  expect(wallet.typedDataSigned()).toEqual(["ReceiveWithAuthorization"]);
  expect(wallet.transactions()).toEqual([]);
  expect(await client.getBalance({ address: READER })).toBe(0n);
  expect(await tokenBalance(READER)).toBe(funding - 2n * TOKEN);
  await context.close();
});
