/**
 * Steps of the wallet browser tests: a fresh browser context with the test wallet of one anvil
 * account, connecting through RainbowKit's dialog, getting test tokens, opening a channel from the
 * paywall, and reading the chain (token balances, mining blocks).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { createPublicClient, formatUnits, http, type Address, type PublicClient } from "viem";
import { mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { demoTokenAbi } from "@/lib/chain/abi";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import { installTestWallet, type TestWallet } from "./test-wallet";

/** What global setup wrote for the tests (tests/e2e/global-setup.ts). */
export interface E2EState {
  rpcUrl: string;
  deployment: { chainId: number; contract: Address; token: Address; challengePeriod?: number };
}

/** The browser tests' chain and deployment. */
export const e2eState = (): E2EState =>
  JSON.parse(readFileSync(process.env.E2E_STATE!, "utf8")) as E2EState;

/** One whole token in base units: the browser tests' site runs on DemoDollar (dUSD, 6 decimals). */
export const TOKEN = 10n ** 6n;
/** One cent of it (seeded prices are cents). */
export const CENT = TOKEN / 100n;

/** The receiver of the site's payments (anvil account 0). */
export const RECEIVER = privateKeyToAccount(ANVIL_KEYS[0]!).address;

/** Seeded articles: path and price. */
export const ARTICLES = {
  the402: { path: "/articles/the-402-status-code", price: 5n * CENT },
  why: { path: "/articles/why-payment-channels", price: 3n * CENT },
  /** As much as the two above together. */
  closing: { path: "/articles/closing-a-channel", price: 8n * CENT },
  /** A World Factbook article. */
  france: { path: "/articles/france", price: 9n * CENT },
} as const;

/** The address of anvil development account `n`. */
export const anvilAddress = (n: number): Address =>
  n < ANVIL_KEYS.length
    ? privateKeyToAccount(ANVIL_KEYS[n]!).address
    : mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: n }).address;

/** anvil's development mnemonic: global setup starts 15 accounts (10–14 beyond ANVIL_KEYS). */
const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** Takes every wei of `owner`'s ETH away (a reader with dollars and no ETH). */
export async function dropEth(owner: Address): Promise<void> {
  await chainClient().request({
    method: "anvil_setBalance" as "eth_chainId",
    params: [owner, "0x0"] as unknown as undefined,
  });
}

/** Opens /wallet; connects through RainbowKit unless the wallet reconnects by itself. */
export async function openWalletPage(page: Page): Promise<void> {
  await page.goto("/wallet");
  const connect = page.getByRole("button", { name: /connect wallet/i });
  const channels = page.getByRole("heading", { name: "Your channels to this site" });
  await expect(connect.or(channels)).toBeVisible({ timeout: 30_000 });
  // A wallet connected on the paywall reconnects by itself: RainbowKit shows "Connect Wallet"
  // while wagmi reconnects, and clicking it then races the reconnection. Ask only if it does not.
  const reconnected = await channels.waitFor({ state: "visible", timeout: 20_000 }).then(
    () => true,
    () => false,
  );
  if (!reconnected) {
    await connect.click();
    await chooseMetaMask(page);
  }
  await expect(channels).toBeVisible({ timeout: 30_000 });
}

/** A browser context of its own with the test wallet of anvil account `account`, and a page. */
export async function walletSession(
  browser: Browser,
  account: number,
  baseURL: string,
): Promise<{ context: BrowserContext; page: Page; wallet: TestWallet }> {
  const { rpcUrl, deployment } = e2eState();
  const context = await browser.newContext({ baseURL });
  // Nothing outside this machine answers: WalletConnect and friends are cut off at once.
  await context.route(/walletconnect|web3modal|reown|coinbase/, (route) => route.abort());
  const wallet = await installTestWallet(context, {
    rpcUrl,
    address: anvilAddress(account),
    chainId: deployment.chainId,
  });
  const page = await context.newPage();
  return { context, page, wallet };
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync("test-results/screenshots", { recursive: true });
  await page.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}

/**
 * On a paywall: "Connect wallet", MetaMask in RainbowKit's dialog, and waits until the island
 * offers the next step (the open form, the top-up or the channel's state).
 */
export async function connectOnPaywall(page: Page, screenshot?: string): Promise<void> {
  await page.getByTestId("wallet-connect").click();
  await chooseMetaMask(page, screenshot);
}

/**
 * Picks MetaMask (the injected test wallet) in RainbowKit's connect dialog, after saving the
 * dialog's screenshot as `screenshot` when given.
 */
export async function chooseMetaMask(page: Page, screenshot?: string): Promise<void> {
  const dialog = page.getByRole("dialog");
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  if (screenshot) await shot(page, screenshot);
  await dialog.getByRole("button", { name: /MetaMask/i }).click();
  await expect(dialog).toBeHidden({ timeout: 20_000 });
}

/** Marks the current document: the marker survives a soft (client-router) refresh only. */
export async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { __sameDocument?: boolean }).__sameDocument = true;
  });
}

/** Whether the page still shows the document marked by {@link markDocument}. */
export async function sameDocument(page: Page): Promise<boolean> {
  return page.evaluate(
    () => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true,
  );
}

/**
 * On a connected paywall: "Get test tokens" (one mint transaction), then opens a channel with
 * `deposit` tokens in `mode`, with the reader's own transaction (`via: "self"`, the default) or
 * through the site's relay, and waits for the article.
 */
export async function mintAndOpen(
  page: Page,
  opts: {
    deposit: string;
    mode: "auto" | "confirm";
    via?: "relay" | "self";
    screenshots?: string;
  },
): Promise<void> {
  await page.getByTestId("deposit-input").fill(opts.deposit);
  await page.getByTestId("get-test-tokens").click();
  await expect(page.getByTestId("paywall-status")).toContainText("You received", {
    timeout: 20_000,
  });
  await page.getByTestId(opts.mode === "auto" ? "mode-auto" : "mode-confirm").check();
  // The site relays (DemoDollar has EIP-3009) and this wallet has ETH: both ways are offered.
  await page.getByTestId(`open-via-${opts.via ?? "self"}`).check();
  if (opts.screenshots) await shot(page, `${opts.screenshots}-open-form`);
  await page.getByTestId("open-channel").click();
}

/** A public client on the test chain. */
export function chainClient(): PublicClient {
  return createPublicClient({ transport: http(e2eState().rpcUrl) });
}

/** The demo token balance of `owner` (base units). */
export async function tokenBalance(owner: Address): Promise<bigint> {
  return chainClient().readContract({
    address: e2eState().deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [owner],
  });
}

/** Mines `blocks` blocks on the test anvil. */
export async function mine(blocks: number): Promise<void> {
  await chainClient().request({
    method: "anvil_mine" as "eth_chainId",
    params: [`0x${blocks.toString(16)}`] as unknown as undefined,
  });
}

/** "1.5" for 1.5 tokens. */
export const tokensText = (units: bigint) => formatUnits(units, 18);
