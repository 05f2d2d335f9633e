/**
 * The admin pages in Chromium against the production build, with the injected test wallet as the
 * receiver (anvil account 0): sign-in with Ethereum through RainbowKit, a machine client's payment
 * seen in the revenue table and the chart's data, a withdrawal seen on chain, an article created
 * and re-priced and an image uploaded (both paywalled at their price), every page's screenshot,
 * sign-out. A reader (anvil account 1) is refused. The machine client is anvil account 3.
 */
import { expect, test, type BrowserContext, type Locator, type Page } from "@playwright/test";
import { createPublicClient, createWalletClient, http, parseEther, parseUnits } from "viem";
import { demoTokenAbi } from "@/lib/chain/abi";
import { privateKeyToAccount } from "viem/accounts";
import { createPayer, memoryChannelStore } from "@/lib/protocol/client";
import { ANVIL_KEYS } from "../../scripts/lib/anvil-keys";
import {
  e2eState,
  RECEIVER,
  shot,
  CENT,
  TOKEN,
  tokenBalance,
  walletSession,
} from "../helpers/wallet-flow";

test.describe.configure({ mode: "serial", timeout: 120_000 });

const MACHINE = privateKeyToAccount(ANVIL_KEYS[3]!);
const ARTICLE = { slug: "why-payment-channels", price: 3n * CENT };
/** The site's token: DemoDollar, 6 decimals. */
const DECIMALS = 6;
/** A unique suffix: a retried run creates new content instead of colliding with the first. */
const RUN = Date.now().toString(36);
/** The smallest valid PNG (1×1, transparent). */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

let context: BrowserContext;
let page: Page;

/** Base units shown in a cell (`"$0.03"` → 30000); 0 when the cell is absent. */
async function amountIn(locator: Locator): Promise<bigint> {
  if ((await locator.count()) === 0) return 0n;
  const text = (await locator.first().innerText()).replace(/[^0-9.]/g, "");
  return text ? parseUnits(text, DECIMALS) : 0n;
}

/** The exact base units of an amount cell (its `data-amount`); 0 when the cell is absent. */
async function exactAmount(locator: Locator): Promise<bigint> {
  if ((await locator.count()) === 0) return 0n;
  return BigInt((await locator.first().getAttribute("data-amount")) ?? "0");
}

/** The sum of the revenue chart's data points (the table beside the chart). */
async function seriesTotal(p: Page): Promise<bigint> {
  const cells = p.getByTestId("revenue-point-amount");
  let total = 0n;
  for (const cell of await cells.all())
    total += BigInt((await cell.getAttribute("data-amount")) ?? "0");
  return total;
}

/**
 * Connects the test wallet on the sign-in page and signs RainbowKit's SIWE message: with
 * authentication on, the connect dialog stays open and turns into "Verify your account".
 */
async function signIn(p: Page, screenshots = false): Promise<void> {
  await p.goto("/admin/sign-in");
  await p.getByRole("button", { name: /connect wallet to sign in/i }).click();
  const dialog = p.getByRole("dialog");
  await expect(dialog).toBeVisible({ timeout: 20_000 });
  if (screenshots) await shot(p, "admin-sign-in-connect");
  await dialog.getByRole("button", { name: /MetaMask/i }).click();
  await expect(dialog.getByText("Verify your account")).toBeVisible({ timeout: 20_000 });
  if (screenshots) await shot(p, "admin-sign-in-verify");
  await dialog.getByRole("button", { name: "Sign message" }).click();
}

/** Pays `path` from a program (the TypeScript payer) as anvil account 3. */
async function machinePays(baseURL: string, path: string): Promise<void> {
  const { rpcUrl, deployment } = e2eState();
  const publicClient = createPublicClient({ transport: http(rpcUrl) });
  // The demo token's mint(): 50 dUSD for 0.1 ETH.
  const wallet = createWalletClient({ account: MACHINE, transport: http(rpcUrl) });
  const hash = await wallet.writeContract({
    address: deployment.token,
    abi: demoTokenAbi,
    functionName: "mint",
    value: parseEther("0.1"),
    chain: null,
  });
  expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
  const payer = createPayer({
    account: MACHINE,
    publicClient,
    store: memoryChannelStore(),
    policy: { maxPrice: TOKEN, budget: 5n * TOKEN },
  });
  const res = await payer.fetch(`${baseURL}${path}`, { headers: { accept: "application/json" } });
  expect(res.status).toBe(200);
}

test.beforeAll(async ({ browser, baseURL }) => {
  ({ context, page } = await walletSession(browser, 0, baseURL!));
});
test.afterAll(async () => context?.close());

test("an anonymous visitor is sent to sign-in, a reader is refused", async ({
  browser,
  baseURL,
}) => {
  await page.goto("/admin/channels");
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);
  await shot(page, "admin-sign-in");

  const reader = await walletSession(browser, 1, baseURL!);
  try {
    await signIn(reader.page);
    await expect(reader.page.getByTestId("sign-in-error")).toContainText("not an operator", {
      timeout: 20_000,
    });
    // The wallet is disconnected, so RainbowKit's dialog does not hide the explanation.
    await expect(reader.page.getByRole("dialog")).toBeHidden();
    await shot(reader.page, "admin-sign-in-refused");
    const stats = await reader.page.request.get("/api/1/stats");
    expect([401, 403]).toContain(stats.status());
  } finally {
    await reader.context.close();
  }
});

test("the operator signs in and sees a machine client's payment on the dashboard", async ({
  baseURL,
}) => {
  await signIn(page, true);
  await expect(page).toHaveURL(/\/admin$/, { timeout: 30_000 });
  await expect(page.getByTestId("admin-address")).toHaveText(RECEIVER);

  const row = page.getByTestId(`revenue-article-${ARTICLE.slug}`);
  const before = await exactAmount(row.getByTestId("revenue-article-amount"));
  const seriesBefore = await seriesTotal(page);

  await machinePays(baseURL!, `/articles/${ARTICLE.slug}`);

  await page.reload();
  await expect
    .poll(async () => (await exactAmount(row.getByTestId("revenue-article-amount"))) - before, {
      timeout: 15_000,
    })
    .toBe(ARTICLE.price);
  expect((await seriesTotal(page)) - seriesBefore).toBe(ARTICLE.price);
  await expect(page.getByTestId("revenue-chart").locator("svg").first()).toBeVisible();
  // The program is counted as a reader who paid (flushed every 2 s): the column is a percentage.
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.getByTestId(`conversion-${ARTICLE.slug}`).innerText();
      },
      { timeout: 15_000, intervals: [1000] },
    )
    .toMatch(/%/);
  await expect(page.getByTestId("indexer-synced-block")).not.toBeEmpty();
  await shot(page, "admin-dashboard");

  await page.getByTestId("revenue-period-month").click();
  await expect(page).toHaveURL(/period=month/);
  await expect(page.getByTestId("revenue-point").first()).toBeVisible();
});

test("withdrawing a channel moves the receiver's token balance on chain", async () => {
  await page.goto("/admin/channels");
  const sender = MACHINE.address.toLowerCase();
  const row = page.locator(`[data-testid^="channel-row-${sender}-"]`).first();
  await expect(row).toBeVisible({ timeout: 15_000 });
  await shot(page, "admin-channels");
  const unclaimed = await amountIn(row.getByTestId("channel-unclaimed"));
  expect(unclaimed).toBeGreaterThanOrEqual(ARTICLE.price);

  await row.getByTestId("channel-link").click();
  await expect(page.getByTestId("channel-payments")).toBeVisible();
  await expect(page.getByTestId("channel-payment").first()).toContainText(ARTICLE.slug);
  await expect(page.getByTestId("channel-event").first()).toBeVisible();
  const balanceBefore = await tokenBalance(RECEIVER);
  await page.getByTestId("withdraw-one").click();
  await expect(page.getByTestId("action-result")).toContainText(/0x[0-9a-f]{64}/, {
    timeout: 30_000,
  });
  expect((await tokenBalance(RECEIVER)) - balanceBefore).toBe(unclaimed);
  await expect(page.getByTestId("channel-unclaimed")).toHaveText("$0.00", {
    timeout: 15_000,
  });
  await shot(page, "admin-channel-detail");
});

test("closing a channel cooperatively settles it on chain and refunds the reader", async () => {
  await expect(page.getByTestId("channel-state")).toContainText("open");
  const deposit = await amountIn(page.getByTestId("channel-deposit"));
  const balance = await amountIn(page.getByTestId("channel-balance"));
  expect(balance).toBeGreaterThan(0n);
  const readerBefore = await tokenBalance(MACHINE.address);
  const receiverBefore = await tokenBalance(RECEIVER);
  await page.getByTestId("close-one").click();
  await shot(page, "admin-channel-close-confirm");
  await page.getByTestId("close-one-confirm").click();
  await expect(page.getByTestId("action-result")).toContainText(/0x[0-9a-f]{64}/, {
    timeout: 30_000,
  });
  await expect(page.getByTestId("channel-state")).toContainText("settled", { timeout: 15_000 });
  expect((await tokenBalance(MACHINE.address)) - readerBefore).toBe(deposit - balance);
  // Everything earned was withdrawn before: the close pays the receiver nothing more.
  expect(await tokenBalance(RECEIVER)).toBe(receiverBefore);
});

test("an article created here is paywalled at its price, and a new price applies", async ({
  playwright,
  baseURL,
}) => {
  const slug = `admin-made-${RUN}`;
  await page.goto("/admin/content");
  await shot(page, "admin-content");
  await page.getByTestId("new-article").click();
  await page.getByTestId("article-title").fill("Made from the admin pages");
  await page.getByTestId("article-slug").fill(slug);
  await page.getByTestId("article-teaser").fill("A teaser anyone can read.");
  await page.getByTestId("article-author").fill("Ada Operator");
  await page.getByTestId("article-category").fill("");
  await expect(page.getByText("Price in USD")).toBeVisible();
  await page.getByTestId("article-price").fill("0.30");
  await page.getByTestId("article-body").fill("## Paid part\n\nOnly paying readers see **this**.");
  await page.getByTestId("article-preview").click();
  await expect(page.getByTestId("article-preview-html").locator("strong")).toHaveText("this");
  await page.getByTestId("article-published").check();
  await shot(page, "admin-article-editor");
  await page.getByTestId("article-save").click();
  await expect(page.getByTestId("content-result")).toBeVisible({ timeout: 15_000 });

  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    const first = await anonymous.get(`/articles/${slug}`, { headers: { accept: "text/html" } });
    expect(first.status()).toBe(402);
    expect(first.headers()["rdn-price"]).toBe(parseUnits("0.3", DECIMALS).toString());

    await page.goto("/admin/content");
    await page.getByTestId(`article-edit-${slug}`).click();
    await page.getByTestId("article-price").fill("$0.40");
    await page.getByTestId("article-save").click();
    await expect(page.getByTestId("content-result")).toBeVisible({ timeout: 15_000 });
    const second = await anonymous.get(`/articles/${slug}`, { headers: { accept: "text/html" } });
    expect(second.status()).toBe(402);
    expect(second.headers()["rdn-price"]).toBe(parseUnits("0.4", DECIMALS).toString());
  } finally {
    await anonymous.dispose();
  }
});

test("an uploaded image is paywalled at its price", async ({ playwright, baseURL }) => {
  const name = `upload-${RUN}.png`;
  await page.goto("/admin/content/media");
  await page.getByTestId("media-file").setInputFiles({
    name: "pixel.png",
    mimeType: "image/png",
    buffer: PNG,
  });
  await page.getByTestId("media-name").fill(name);
  await page.getByTestId("media-price").fill("0.2");
  await page.getByTestId("media-upload").click();
  await expect(page.getByTestId(`media-row-${name}`)).toBeVisible({ timeout: 15_000 });
  await shot(page, "admin-media");

  const anonymous = await playwright.request.newContext({ baseURL });
  try {
    const res = await anonymous.get(`/media/${name}`);
    expect(res.status()).toBe(402);
    expect(res.headers()["rdn-price"]).toBe(parseUnits("0.2", DECIMALS).toString());
  } finally {
    await anonymous.dispose();
  }
});

test("upstreams, authors' revenue and settings pages", async () => {
  await page.goto("/admin/content/upstreams");
  await expect(page.getByTestId("upstream-prefix")).toBeVisible();
  await shot(page, "admin-upstreams");

  await page.goto("/admin/authors");
  await expect(page.getByTestId("authors-table")).toBeVisible();
  const csvHref = await page.getByTestId("authors-csv").getAttribute("href");
  const csv = await page.request.get(csvHref!);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toMatch(/text\/csv/);
  // Ada Ledger wrote the article the machine client paid for (a retried run pays once more).
  const ada = (await csv.text()).match(/^Ada Ledger,2,(\d+),([\d.]+),(\d+)\r?$/m);
  expect(ada).not.toBeNull();
  expect(Number(ada![1])).toBeGreaterThanOrEqual(1);
  expect(BigInt(ada![3]!)).toBe(parseUnits(ada![2]!, DECIMALS));
  expect(BigInt(ada![3]!)).toBe(BigInt(ada![1]!) * ARTICLE.price);
  await shot(page, "admin-authors");

  await page.goto("/admin/settings");
  await expect(page.getByTestId("setting-receiver").getByTestId("setting-value")).toHaveText(
    RECEIVER,
  );
  await expect(
    page.getByTestId("setting-confirmations").getByTestId("setting-source"),
  ).toContainText("env");
  await shot(page, "admin-settings");
});

test("after signing out the pages and the operator API refuse", async () => {
  await page.goto("/admin");
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/admin\/sign-in\?reason=signed-out/, { timeout: 15_000 });
  await page.goto("/admin/channels");
  await expect(page).toHaveURL(/\/admin\/sign-in\?next=/);
  const stats = await page.request.get("/api/1/stats");
  expect(stats.status()).toBe(401);
  expect(await stats.json()).toMatchObject({ code: "unauthenticated" });
});
