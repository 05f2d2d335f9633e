/**
 * `npm run bench:browser`: what a reader's browser downloads and waits for, measured in Chromium
 * (/usr/bin/chromium, or CHROMIUM_PATH) against the production build (NEXT_DIST_DIR, default
 * `.next`) served by `next start` on a free port, on a fresh anvil with the contracts deployed
 * and a seeded SQLite file.
 *
 *   - JavaScript (gzip, as transferred) of a paid article page opened with its receipt cookie
 *     (paid once by the machine client): budget 250 kB, exits 1 above it;
 *   - JavaScript of the paywall page, and of the paywall after the wallet code loads
 *     (`[data-testid=wallet-connect]` clicked);
 *   - auto-pay: with a test wallet injected (EIP-6963, forwarding to anvil) a channel is opened in
 *     auto-pay mode through the paywall once, then N other articles are opened by their address
 *     (the paywall pays them), each timed from navigation, and from
 *     `performance.mark("paychan:pay-start")`, to the article visible;
 *   - clicks: on a category page, the reader clicks a link and the article's text is timed from
 *     the click, for `--clicks` free articles (made free in the database) and as many paid ones,
 *     alternating in time and down the page (free and paid links take turns in the listing); the
 *     paid ones are paid on the click's own request by the auto-pay service worker. Each link is
 *     scrolled into view and the prefetches that brings are let finish before the click. Goal:
 *     paid median ≤ 1.2 × free median, no paywall shown, no wallet prompt.
 *
 * A step the paywall cannot perform (an element of the data-testid contract missing) is reported
 * as "not measured: <reason>".
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { Command } from "commander";
import {
  createPublicClient,
  createWalletClient,
  http,
  parseEther,
  type Address,
  type PublicClient,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { buildChain } from "../lib/chain/chain";
import { demoTokenAbi } from "../lib/chain/abi";
import { createPayer, memoryChannelStore } from "../lib/protocol/client";
import playwrightConfig from "../playwright.config";
import { startSiteServer, type SiteServer } from "../tests/helpers/site-server";
import { ANVIL_KEYS } from "./lib/anvil-keys";
import { ANVIL_KEY_0 } from "./lib/prepare-site";

/**
 * Runs in every page before its scripts: records when `[data-testid=article-body]` first becomes
 * visible (`window.__benchArticleVisibleAt`, on the document's `performance.now()` clock).
 */
const VISIBLE_TIMER = `(() => {
  const seen = () => {
    if (window.__benchArticleVisibleAt !== undefined) return;
    const el = document.querySelector('[data-testid="article-body"]');
    if (el && el.getBoundingClientRect().height > 0) {
      window.__benchArticleVisibleAt = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(seen);
  observer.observe(document, { childList: true, subtree: true, attributeFilter: ["class", "style", "hidden"] });
})()`;
import { installTestWallet, PROMPT_METHODS } from "../tests/helpers/test-wallet";

/** Goal for the paywall page's JavaScript before the wallet loads (gzip bytes). */
const PAYWALL_BUDGET = 150_000;

const program = new Command()
  .name("bench:browser")
  .option("--articles <n>", "articles paid by auto-pay from a typed address and timed", "5")
  .option("--clicks <n>", "articles clicked and timed on a listing page, free and paid each", "20")
  .option("--budget <kB>", "gzip JavaScript budget of an article page (1 kB = 1000 bytes)", "250")
  .option("--scripts", "list every script of each page with its size")
  .option("--screenshots <dir>", "save a screenshot of the page where a measurement stopped");

/** The reader's wallet: an unlocked anvil development account the site does not use. */
const READER_KEY = ANVIL_KEYS[3]!;
const PAY_START_MARK = "paychan:pay-start";
const STEP_TIMEOUT_MS = 15_000;

/** A measurement that could not be taken; the reason is printed instead of a figure. */
class NotMeasured extends Error {
  override readonly name = "NotMeasured";
}

/** A failure of a wallet step as a reason (its first line): those steps never fail the run. */
function asNotMeasured(err: unknown): NotMeasured {
  if (err instanceof NotMeasured) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new NotMeasured(message.split("\n")[0]!.trim());
}

interface ScriptBytes {
  bytes: number;
  scripts: number;
  /** Script responses that came without `Content-Encoding` (not compressed). */
  uncompressed: number;
  /** Each script's path and transfer size, in load order. */
  list: Array<{ path: string; bytes: number; compressed: boolean }>;
}

/**
 * Sums the transfer size (`Network.loadingFinished.encodedDataLength`: compressed body plus
 * headers) of every script response the page loads from now on.
 */
async function countScripts(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const scripts = new Map<string, { compressed: boolean; path: string }>();
  const totals: ScriptBytes = { bytes: 0, scripts: 0, uncompressed: 0, list: [] };
  cdp.on("Network.responseReceived", (e) => {
    if (e.type !== "Script") return;
    const headers = Object.fromEntries(
      Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), String(v)]),
    );
    scripts.set(e.requestId, {
      compressed: Boolean(headers["content-encoding"]),
      path: new URL(e.response.url).pathname,
    });
  });
  cdp.on("Network.loadingFinished", (e) => {
    const s = scripts.get(e.requestId);
    if (!s) return;
    totals.bytes += e.encodedDataLength;
    totals.scripts += 1;
    totals.list.push({ path: s.path, bytes: e.encodedDataLength, compressed: s.compressed });
    if (!s.compressed) totals.uncompressed += 1;
  });
  return { snapshot: (): ScriptBytes => ({ ...totals, list: [...totals.list] }) };
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const describe = (s: ScriptBytes) =>
  `${kB(s.bytes)} (${s.scripts} scripts${s.uncompressed ? `, ${s.uncompressed} uncompressed` : ""})`;

/** A fresh context (empty cache) where every request outside this machine is refused. */
async function newContext(browser: Browser, site: SiteServer): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: site.url });
  const local = new Set([new URL(site.url).host, new URL(site.rpcUrl).host]);
  await context.route(
    (url) => !local.has(url.host) && url.protocol !== "data:",
    (route) => route.abort("blockedbyclient"),
  );
  return context;
}

/** Waits for `[data-testid=id]` to be visible, or explains which contract element is missing. */
async function visible(page: Page, id: string, timeout = STEP_TIMEOUT_MS): Promise<void> {
  try {
    await page.getByTestId(id).first().waitFor({ state: "visible", timeout });
  } catch {
    throw new NotMeasured(`[data-testid=${id}] not visible after ${timeout / 1000} s`);
  }
}

/** Paid article slugs linked from the home page, with their prices (the site's 402 answer). */
async function paidArticles(site: SiteServer): Promise<string[]> {
  const home = await (await fetch(site.url)).text();
  const slugs = [
    ...new Set([...home.matchAll(/href="\/articles\/([^"?#/]+)"/g)].map((m) => m[1]!)),
  ];
  const paid: string[] = [];
  for (const slug of slugs) {
    const res = await fetch(`${site.url}/articles/${slug}`, {
      headers: { accept: "application/json" },
    });
    await res.arrayBuffer();
    if (res.status === 402) paid.push(slug);
  }
  return paid;
}

/** Pays `slug` once with the machine client and returns the receipt cookie the site set. */
async function buyReceipt(site: SiteServer, publicClient: PublicClient, slug: string) {
  const { key } = await site.fundedAccount(parseEther("100"));
  const payer = createPayer({
    account: privateKeyToAccount(key),
    publicClient,
    store: memoryChannelStore(),
    pollingIntervalMs: 100,
  });
  const res = await payer.fetch(`${site.url}/articles/${slug}`, {
    headers: { accept: "text/html" },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`paying /articles/${slug} answered ${res.status}`);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";").map((part) => part.trim()))
    .find(([pair]) => pair!.startsWith("rdn_receipt="));
  if (!cookie) throw new Error(`the paid response for /articles/${slug} set no receipt cookie`);
  const [pair, ...attributes] = cookie;
  const eq = pair!.indexOf("=");
  const attr = (name: string) =>
    attributes.find((a) => a.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
  return {
    name: pair!.slice(0, eq),
    value: pair!.slice(eq + 1),
    domain: new URL(site.url).hostname,
    path: attr("path") ?? "/",
    httpOnly: attributes.some((a) => a.toLowerCase() === "httponly"),
    sameSite: "Lax" as const,
  };
}

/** JavaScript of a paid article page opened with its receipt: the reader's common case. */
async function articlePageScripts(
  browser: Browser,
  site: SiteServer,
  receipt: Awaited<ReturnType<typeof buyReceipt>>,
  slug: string,
): Promise<ScriptBytes> {
  const context = await newContext(browser, site);
  try {
    await context.addCookies([receipt]);
    const page = await context.newPage();
    const counter = await countScripts(context, page);
    const res = await page.goto(`/articles/${slug}`, { waitUntil: "networkidle" });
    if (res?.status() !== 200)
      throw new Error(`/articles/${slug} with its receipt answered ${res?.status()}`);
    await page
      .getByTestId("article-body")
      .waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS })
      .catch(() => {
        throw new Error(`/articles/${slug} with its receipt shows no [data-testid=article-body]`);
      });
    return counter.snapshot();
  } finally {
    await context.close();
  }
}

/** JavaScript of the paywall page, then of the paywall once the wallet code has loaded. */
async function paywallScripts(
  browser: Browser,
  site: SiteServer,
  slug: string,
): Promise<{ paywall: ScriptBytes; wallet: ScriptBytes | NotMeasured }> {
  const context = await newContext(browser, site);
  try {
    const page = await context.newPage();
    const counter = await countScripts(context, page);
    const res = await page.goto(`/articles/${slug}`, { waitUntil: "networkidle" });
    if (res?.status() !== 402)
      throw new Error(`unpaid /articles/${slug} answered ${res?.status()}`);
    await page
      .getByTestId("paywall")
      .waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS })
      .catch(() => {
        throw new NotMeasured(`unpaid /articles/${slug} shows no [data-testid=paywall]`);
      });
    const paywall = counter.snapshot();
    try {
      await visible(page, "wallet-connect");
      await page.getByTestId("wallet-connect").click();
      await page.waitForLoadState("networkidle");
      // Chunks that load once the connect dialog renders.
      await page.waitForTimeout(500);
      await page.waitForLoadState("networkidle");
      const wallet = counter.snapshot();
      if (wallet.scripts === paywall.scripts)
        throw new NotMeasured("clicking [data-testid=wallet-connect] loaded no script");
      return { paywall, wallet };
    } catch (err) {
      return { paywall, wallet: asNotMeasured(err) };
    }
  } finally {
    await context.close();
  }
}

interface AutoPayTimes {
  navigationToVisible: number[];
  payStartToVisible: number[];
  /** Click on a listing's link → text, paid articles (auto-pay, on the request itself). */
  paidClicks: number[];
  /** The same, free articles. */
  freeClicks: number[];
  /** Paid clicks that showed the paywall before the article. */
  paywallShown: number;
}

/** The articles the clicks are timed on: links of one listing page. */
interface ClickPlan {
  listing: string;
  paid: string[];
  free: string[];
}

/**
 * Times a click on the link to `slug` on `listing` until the article's text is visible, in the
 * page's clock (the click's event → `[data-testid=article-body]` visible). The listing is loaded,
 * the link scrolled into view and the page idle (its prefetches done), as a reader would look at
 * it before clicking.
 */
async function clickToText(
  page: Page,
  listing: string,
  slug: string,
): Promise<{ ms: number; paywall: boolean }> {
  await page.goto(listing, { waitUntil: "networkidle" });
  await page.evaluate(() => {
    const w = window as unknown as { __clickAt?: number; __paywall?: boolean };
    document.addEventListener("click", () => (w.__clickAt ??= performance.now()), {
      capture: true,
    });
    new MutationObserver(() => {
      if (document.querySelector('[data-testid="paywall"]')) w.__paywall = true;
    }).observe(document, { childList: true, subtree: true });
  });
  const link = page.locator(`a[href="/articles/${slug}"]`).first();
  await link.scrollIntoViewIfNeeded();
  await networkQuiet(page);
  await link.click();
  await page
    .getByTestId("article-body")
    .waitFor({ state: "visible", timeout: 30_000 })
    .catch(() => {
      throw new NotMeasured(`/articles/${slug} was not shown within 30 s of its click`);
    });
  const t = await page.evaluate(() => {
    const w = window as unknown as {
      __clickAt?: number;
      __paywall?: boolean;
      __benchArticleVisibleAt?: number;
    };
    return { click: w.__clickAt, visible: w.__benchArticleVisibleAt, paywall: w.__paywall };
  });
  if (t.click === undefined || t.visible === undefined)
    throw new NotMeasured(`no click or visible time recorded for /articles/${slug}`);
  return { ms: t.visible - t.click, paywall: t.paywall === true };
}

/** Resolves once `page` has had no request in flight for `quietMs` (at most `timeoutMs`). */
async function networkQuiet(page: Page, quietMs = 300, timeoutMs = 5_000): Promise<void> {
  let inFlight = 0;
  let last = Date.now();
  const started = () => {
    inFlight += 1;
    last = Date.now();
  };
  const ended = () => {
    inFlight = Math.max(0, inFlight - 1);
    last = Date.now();
  };
  page.on("request", started);
  page.on("requestfinished", ended);
  page.on("requestfailed", ended);
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && (inFlight > 0 || Date.now() - last < quietMs)) {
      await page.waitForTimeout(50);
    }
  } finally {
    page.off("request", started);
    page.off("requestfinished", ended);
    page.off("requestfailed", ended);
  }
}

/** Connects the injected wallet in the dialog `wallet-connect` opened (RainbowKit's list). */
async function connectWallet(page: Page): Promise<void> {
  await visible(page, "wallet-connect");
  await page.getByTestId("wallet-connect").click();
  const option = page
    .locator('[data-testid^="rk-wallet-option-"]')
    .filter({ hasText: /metamask/i })
    .or(page.getByRole("dialog").getByRole("button", { name: /metamask/i }))
    .first();
  const ready = page.getByTestId("deposit-input").or(page.getByTestId("switch-network")).first();
  try {
    await option.or(ready).first().waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS });
  } catch {
    throw new NotMeasured("no MetaMask option and no channel form after clicking wallet-connect");
  }
  if (await option.isVisible()) await option.click();
  await ready.waitFor({ state: "visible", timeout: STEP_TIMEOUT_MS }).catch(() => {
    throw new NotMeasured("the channel form ([data-testid=deposit-input]) did not appear");
  });
  if (await page.getByTestId("switch-network").isVisible()) {
    await page.getByTestId("switch-network").click();
    await visible(page, "deposit-input");
  }
}

/**
 * Opens an auto-pay channel through the paywall UI on `first`, then times each of `articles`
 * from navigation to the article visible (auto-paid, no prompt).
 */
async function autoPayTimes(
  browser: Browser,
  site: SiteServer,
  first: string,
  articles: string[],
  clicks: ClickPlan,
  screenshots?: string,
): Promise<AutoPayTimes> {
  const context = await newContext(browser, site);
  let current: Page | undefined;
  try {
    const reader = privateKeyToAccount(READER_KEY);
    const wallet = await installTestWallet(context, {
      rpcUrl: site.rpcUrl,
      address: reader.address,
      chainId: site.deployment.chainId,
    });
    await context.addInitScript(VISIBLE_TIMER);
    const page = await context.newPage();
    current = page;
    await page.goto(`/articles/${first}`);
    await visible(page, "paywall");
    await connectWallet(page);
    await page.getByTestId("deposit-input").fill("50");
    await visible(page, "mode-auto");
    await page.getByTestId("mode-auto").check();
    await visible(page, "per-article-max");
    await page.getByTestId("per-article-max").fill("5");
    await page.getByTestId("spending-cap").fill("50");
    await visible(page, "open-channel");
    await page.getByTestId("open-channel").click();
    // The article that opened the channel is paid right away, or else with one click on Pay.
    const body = page.getByTestId("article-body");
    const shown = (timeout: number) =>
      body.waitFor({ state: "visible", timeout }).then(
        () => true,
        () => false,
      );
    if (!(await shown(60_000)))
      await page
        .getByTestId("pay-button")
        .click({ timeout: 5000 })
        .catch(() => {});
    if (!(await shown(30_000))) {
      const error = await page
        .getByTestId("paywall-error")
        .textContent({ timeout: 1000 })
        .catch(() => null);
      throw new NotMeasured(
        `the article did not appear after open-channel${error ? `: ${error.trim()}` : ""}`,
      );
    }
    wallet.resetCalls();

    const times: AutoPayTimes = {
      navigationToVisible: [],
      payStartToVisible: [],
      paidClicks: [],
      freeClicks: [],
      paywallShown: 0,
    };
    // The paywall installs the auto-pay worker once auto-pay is on.
    await page
      .waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
        timeout: 20_000,
      })
      .catch(() => {
        throw new NotMeasured("the auto-pay service worker did not take control of the page");
      });
    // Alternating free and paid clicks, so that both see the same machine.
    for (let i = 0; i < Math.max(clicks.paid.length, clicks.free.length); i++) {
      for (const [slug, into] of [
        [clicks.free[i], times.freeClicks],
        [clicks.paid[i], times.paidClicks],
      ] as const) {
        if (slug === undefined) continue;
        const t = await clickToText(page, clicks.listing, slug);
        into.push(t.ms);
        if (t.paywall && into === times.paidClicks) times.paywallShown += 1;
      }
    }
    for (const slug of articles) {
      await page.goto(`/articles/${slug}`, { waitUntil: "commit" });
      await page
        .getByTestId("article-body")
        .waitFor({ state: "visible", timeout: 30_000 })
        .catch(() => {
          throw new NotMeasured(`/articles/${slug} was not auto-paid within 30 s`);
        });
      const t = await page.evaluate((mark) => {
        const w = window as unknown as { __benchArticleVisibleAt?: number };
        return {
          visibleAt: w.__benchArticleVisibleAt ?? performance.now(),
          payStart: performance.getEntriesByName(mark).at(-1)?.startTime,
        };
      }, PAY_START_MARK);
      if (t.payStart === undefined)
        throw new NotMeasured(
          `no "${PAY_START_MARK}" mark in the page that showed /articles/${slug}`,
        );
      times.navigationToVisible.push(t.visibleAt);
      times.payStartToVisible.push(t.visibleAt - t.payStart);
    }
    const extra = PROMPT_METHODS.filter((m) => wallet.count(m) > 0);
    if (extra.length > 0)
      throw new NotMeasured(`auto-pay asked the wallet to sign (${extra.join(", ")})`);
    if (screenshots) {
      mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, "auto-pay-click.png"), fullPage: true });
    }
    return times;
  } catch (err) {
    const reason = asNotMeasured(err);
    if (screenshots && current) {
      mkdirSync(screenshots, { recursive: true });
      const file = path.join(screenshots, "auto-pay.png");
      await current.screenshot({ path: file, fullPage: true }).catch(() => {});
      reason.message += ` (screenshot: ${file})`;
    }
    throw reason;
  } finally {
    await context.close();
  }
}

/** Paid ÷ free click medians against the goal of 1.2. */
function clickGoal(t: AutoPayTimes): string {
  if (t.paidClicks.length === 0 || t.freeClicks.length === 0) return "";
  const ratio = median(t.paidClicks) / median(t.freeClicks);
  return `≤ 1.2 × free: ${ratio.toFixed(2)} ${ratio <= 1.2 ? "met" : "NOT MET"}`;
}

/**
 * The click plan: the category page linking the most articles not used elsewhere (`used`); the
 * first `n` of them made free in the site's database, the next `n` left paid.
 */
async function clickPlan(site: SiteServer, used: Set<string>, n: number): Promise<ClickPlan> {
  const home = await (await fetch(site.url)).text();
  const categories = [
    ...new Set([...home.matchAll(/href="\/\?category=([^"&#]+)"/g)].map((m) => m[1]!)),
  ];
  let best: { listing: string; slugs: string[] } = { listing: "/", slugs: [] };
  for (const c of categories) {
    const listing = `/?category=${c}`;
    const html = await (await fetch(`${site.url}${listing}`)).text();
    const slugs = [
      ...new Set([...html.matchAll(/href="\/articles\/([^"?#/]+)"/g)].map((m) => m[1]!)),
    ].filter((slug) => !used.has(slug));
    if (slugs.length > best.slugs.length) best = { listing, slugs };
  }
  // Alternating down the listing, so that free and paid links sit at the same places on the page
  // (a link further down scrolls more, and the links it brings into view are prefetched).
  const picked = best.slugs.slice(0, 2 * n);
  const free = picked.filter((_, i) => i % 2 === 0);
  const paid = picked.filter((_, i) => i % 2 === 1);
  const file = site.serverEnv.DATABASE_URL!.replace(/^file:/, "");
  const db = new Database(file);
  try {
    const update = db.prepare("UPDATE Article SET price = '0' WHERE slug = ?");
    for (const slug of free) update.run(slug);
  } finally {
    db.close();
  }
  return { listing: best.listing.replace(/&amp;/g, "&"), paid, free };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (xs: number[]) =>
  `${median(xs).toFixed(0)} ms median, ${Math.max(...xs).toFixed(0)} ms max (${xs.length} articles)`;

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<{
    articles: string;
    clicks: string;
    budget: string;
    scripts?: boolean;
    screenshots?: string;
  }>();
  const budget = Number(o.budget) * 1000;
  const count = Number(o.articles);

  console.log("starting anvil and the site (next start)…");
  const site = await startSiteServer({ env: { CONFIRMATIONS: "0" } });
  let browser: Browser | undefined;
  try {
    const chain = buildChain(site.deployment.chainId, site.rpcUrl);
    const publicClient = createPublicClient({
      chain,
      transport: http(site.rpcUrl),
      pollingInterval: 100,
    }) as PublicClient;
    const paid = await paidArticles(site);
    if (paid.length < 3) throw new Error(`the home page links ${paid.length} paid articles`);
    const [receiptSlug, paywallSlug, ...rest] = paid;
    const openSlug = rest[0]!;
    const timed = rest.slice(1, 1 + count);
    const clicks = await clickPlan(site, new Set(paid), Number(o.clicks));

    const receipt = await buyReceipt(site, publicClient, receiptSlug!);
    // The reader's wallet holds demo tokens for its deposit.
    const deployer = createWalletClient({
      chain,
      transport: http(site.rpcUrl),
      account: privateKeyToAccount(ANVIL_KEY_0),
    });
    const reader: Address = privateKeyToAccount(READER_KEY).address;
    await publicClient.waitForTransactionReceipt({
      hash: await deployer.writeContract({
        address: site.deployment.token,
        abi: demoTokenAbi,
        functionName: "transfer",
        args: [reader, parseEther("1000")],
      }),
    });

    browser = await chromium.launch({
      ...playwrightConfig.use?.launchOptions,
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    });
    const article = await articlePageScripts(browser, site, receipt, receiptSlug!);
    const { paywall, wallet } = await paywallScripts(browser, site, paywallSlug!).catch(
      (err: unknown) => {
        if (!(err instanceof NotMeasured)) throw err;
        return { paywall: err, wallet: err };
      },
    );
    let autopay: AutoPayTimes | NotMeasured;
    try {
      autopay =
        timed.length === 0
          ? new NotMeasured("the home page links too few paid articles")
          : await autoPayTimes(browser, site, openSlug, timed, clicks, o.screenshots);
    } catch (err) {
      autopay = asNotMeasured(err);
    }

    const notMeasured = (e: NotMeasured) => `not measured: ${e.message}`;
    const rows: Array<[string, string, string]> = [
      [
        `article page JS, gzip (/articles/${receiptSlug}, with its receipt)`,
        describe(article),
        `≤ ${kB(budget)}: ${article.bytes <= budget ? "met" : "EXCEEDED"}`,
      ],
      [
        `paywall page JS, gzip (/articles/${paywallSlug})`,
        paywall instanceof NotMeasured ? notMeasured(paywall) : describe(paywall),
        paywall instanceof NotMeasured
          ? ""
          : `≤ ${kB(PAYWALL_BUDGET)}: ${paywall.bytes <= PAYWALL_BUDGET ? "met" : "EXCEEDED"}`,
      ],
      [
        "paywall + wallet JS, gzip (after wallet-connect)",
        wallet instanceof NotMeasured ? notMeasured(wallet) : describe(wallet),
        "",
      ],
      [
        "auto-pay: navigation → article-body visible",
        autopay instanceof NotMeasured ? notMeasured(autopay) : ms(autopay.navigationToVisible),
        "",
      ],
      [
        `auto-pay: "${PAY_START_MARK}" → article-body visible`,
        autopay instanceof NotMeasured ? notMeasured(autopay) : ms(autopay.payStartToVisible),
        "",
      ],
      [
        `click → text, free article (links of ${clicks.listing})`,
        autopay instanceof NotMeasured ? notMeasured(autopay) : ms(autopay.freeClicks),
        "",
      ],
      [
        "click → text, paid article in auto-pay (paid on the click's request)",
        autopay instanceof NotMeasured
          ? notMeasured(autopay)
          : `${ms(autopay.paidClicks)}; paywall shown ${autopay.paywallShown} times`,
        autopay instanceof NotMeasured ? "" : clickGoal(autopay),
      ],
    ];
    console.log(
      `\nChromium ${browser.version()}, next start (production build), transfer sizes as downloaded`,
    );
    console.log("| measurement | value | budget |");
    console.log("|---|---|---|");
    for (const [what, value, limit] of rows) console.log(`| ${what} | ${value} | ${limit} |`);
    if (o.scripts) {
      const pages: Array<[string, ScriptBytes | NotMeasured]> = [
        ["article page", article],
        ["paywall page", paywall],
        ["paywall + wallet", wallet],
      ];
      for (const [name, m] of pages) {
        if (m instanceof NotMeasured) continue;
        console.log(`\n${name}:`);
        for (const x of m.list)
          console.log(
            `  ${kB(x.bytes).padStart(9)}  ${x.path}${x.compressed ? "" : "  (uncompressed)"}`,
          );
      }
    }
    if (article.uncompressed > 0)
      console.log(`warning: ${article.uncompressed} article-page scripts came uncompressed`);
    console.log("1 kB = 1000 bytes; sizes include each response's headers");
    if (article.bytes > budget) {
      console.error(
        `article page JavaScript ${kB(article.bytes)} exceeds the ${kB(budget)} budget`,
      );
      process.exitCode = 1;
    }
  } finally {
    await browser?.close();
    await site.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
