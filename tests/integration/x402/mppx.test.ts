/**
 * wevm's `mppx` CLI, as published on npm and unmodified, pays the real site (`next start` on
 * anvil with DemoDollar) through its x402 bridge: `mppx <url> --protocol x402` with the key in
 * `MPPX_PRIVATE_KEY` signs the `exact` offer of our 402's PAYMENT-REQUIRED envelope, and the site
 * settles it itself. The token moves exactly the price, the payer needs no ETH, and a second run
 * buys again (mppx keeps no receipt cookie) at the same price.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startSiteServer, tokenBalance, type SiteServer } from "../../helpers/site-server";

const run = promisify(execFile);
const USD = 1_000_000n;
const MPPX = path.resolve("node_modules/mppx/dist/bin.js");
let site: SiteServer;
let key: Hex;
let home: string;

beforeAll(async () => {
  site = await startSiteServer({ demoToken: "DemoDollar" });
  ({ key } = await site.fundedAccount(5n * USD, 0n));
  // mppx keeps accounts and sessions under $HOME: give it an empty one.
  home = mkdtempSync(path.join(tmpdir(), "mppx-home-"));
}, 240_000);

afterAll(async () => {
  await site?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** Runs the mppx CLI as a user would; resolves with its output whatever its exit code. */
async function mppx(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = {
    NODE_ENV: "production",
    PATH: process.env.PATH!,
    HOME: home,
    XDG_CONFIG_HOME: path.join(home, ".config"),
    MPPX_PRIVATE_KEY: key,
    NO_COLOR: "1",
  };
  try {
    const { stdout, stderr } = await run(process.execPath, [MPPX, ...args], {
      env,
      timeout: 60_000,
      maxBuffer: 8 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}

const payerAddress = () => privateKeyToAccount(key).address;
const balances = async () => ({
  payer: await tokenBalance(site, payerAddress()),
  receiver: await tokenBalance(site, site.receiver),
});

async function priceOf(pathname: string): Promise<bigint> {
  const res = await fetch(new URL(pathname, site.url));
  expect(res.status).toBe(402);
  return BigInt(res.headers.get("RDN-Price")!);
}

describe("the mppx CLI with --protocol x402", () => {
  it("buys a paid API call for exactly its price, with no ETH", async () => {
    const pathname = "/api/echo/fix/from-mppx";
    const price = await priceOf(pathname);
    const before = await balances();
    const out = await mppx([new URL(pathname, site.url).toString(), "--protocol", "x402"]);
    expect(out.code, out.stderr).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ echo: "from-mppx" });
    const after = await balances();
    expect(before.payer - after.payer).toBe(price);
    expect(after.receiver - before.receiver).toBe(price);
    expect(await site.publicClient.getBalance({ address: payerAddress() })).toBe(0n);
  }, 120_000);

  it("buys an article, and pays again on a second run (it keeps no receipt)", async () => {
    const pathname = "/articles/why-payment-channels";
    const price = await priceOf(pathname);
    for (let i = 0; i < 2; i++) {
      const before = await balances();
      const out = await mppx([
        new URL(pathname, site.url).toString(),
        "--protocol",
        "x402",
        "--include",
      ]);
      expect(out.code, out.stderr).toBe(0);
      expect(out.stdout).toMatch(/^HTTP\/[\d.]+ 200/m);
      expect(out.stdout).toMatch(/payment-response:/i);
      expect(out.stdout).toContain("<html");
      const after = await balances();
      expect(before.payer - after.payer).toBe(price);
      expect(after.receiver - before.receiver).toBe(price);
    }
  }, 120_000);

  it("buys nothing for an account that cannot pay, and says so", async () => {
    const pathname = "/articles/why-payment-channels";
    const empty = await site.fundedAccount(0n, 0n);
    const saved = key;
    key = empty.key;
    try {
      const before = await balances();
      const nonce = await site.publicClient.getTransactionCount({ address: site.receiver });
      const out = await mppx([new URL(pathname, site.url).toString(), "--protocol", "x402"]);
      expect(out.code).not.toBe(0);
      expect(out.stdout + out.stderr).toContain("PAYMENT_REJECTED");
      expect(out.stdout).not.toContain("<html");
      expect(await balances()).toEqual(before);
      expect(await site.publicClient.getTransactionCount({ address: site.receiver })).toBe(nonce);
    } finally {
      key = saved;
    }
  }, 120_000);
});
