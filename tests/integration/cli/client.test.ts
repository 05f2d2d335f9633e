/**
 * The command-line client (scripts/client.ts) run as a child process against a real site: anvil
 * with the deployed contracts, a seeded SQLite file and `next start` of the production build (the
 * one in NEXT_DIST_DIR). Every payment, channel and payout is checked on chain or through the
 * site, and every failure by its exit code and message.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatUnits, type Address, type Hex } from "viem";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { seedArticles, seedPrice } from "@/prisma/seed-data";
import { getFreePort, startAnvil } from "../../helpers/anvil";
import { runCli } from "../../helpers/cli";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

const TOKEN = 10n ** 18n;

const DEFAULT_TOKENS = 100n * TOKEN;

let site: SiteServer;
/** Key and state files of the payers. */
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cli-test-"));
  site = await startSiteServer();
}, 240_000);

afterAll(async () => {
  await site?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const tokenBalance = (address: Address) =>
  site.publicClient.readContract({
    address: site.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [address],
  });

/** Runs the client with `args`; the environment holds no key and no RPC_URL unless given. */
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(args, path.join(dir, "xdg"), env);

/** A payer with a key file (mode 600) and its own state file. */
async function payer(name: string, funds?: { eth?: bigint; tokens?: bigint }) {
  const { key, address } = await site.fundedAccount(funds?.tokens ?? DEFAULT_TOKENS, funds?.eth);
  const account = { address };
  const keyFile = path.join(dir, `${name}.key`);
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  const state = path.join(dir, `${name}-channels.json`);
  const run = (args: string[]) =>
    cli(["--rpc-url", site.rpcUrl, "--key-file", keyFile, "--state", state, ...args]);
  return { key, account, keyFile, state, run };
}

const channelsCreatedBy = (sender: Address) =>
  site.publicClient.getContractEvents({
    address: site.deployment.contract,
    abi: microTransferChannelsAbi,
    eventName: "ChannelCreated",
    args: { sender },
    fromBlock: 0n,
  });

const nonceOf = (address: Address) => site.publicClient.getTransactionCount({ address });

describe("paychan get, channels, close", () => {
  let alice: Awaited<ReturnType<typeof payer>>;

  beforeAll(async () => {
    alice = await payer("alice");
  });

  it("pays the fixed-price echo: opens a channel and prints the body", async () => {
    const r = await alice.run(["get", `${site.url}/api/echo/fix/hello`]);
    expect(r.stderr).not.toMatch(/paychan:/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: "hello" });
    expect(r.stderr).toMatch(/opening a channel to .* with a deposit of/);
    expect(r.stderr).toMatch(/paid 0\.000000000000000005 TKN/);
    expect(r.stderr).toMatch(/balance left/);
    expect(await channelsCreatedBy(alice.account.address)).toHaveLength(1);
  });

  it("pays the dynamic echo on the same channel: exactly one ChannelCreated for the payer", async () => {
    const r = await alice.run(["get", `${site.url}/api/echo/dyn/13`]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ echo: "13" });
    expect(r.stderr).not.toMatch(/opening a channel/);
    expect(r.stderr).toMatch(/paid 0\.000000000000000013 TKN/);
    const created = await channelsCreatedBy(alice.account.address);
    expect(created).toHaveLength(1);
    expect(created[0]!.args.receiver).toBe(site.receiver);
  });

  it("writes the body to -o FILE", async () => {
    const out = path.join(dir, "hello.json");
    const r = await alice.run(["get", "-o", out, `${site.url}/api/echo/fix/again`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({ echo: "again" });
  });

  it("lists the channel: site, receiver, open block, deposit, spent, state", async () => {
    const [created] = await channelsCreatedBy(alice.account.address);
    const r = await alice.run(["channels"]);
    expect(r.code, r.stderr).toBe(0);
    const [header, row, ...rest] = r.stdout.trim().split("\n");
    expect(header).toMatch(/^SITE\s+RECEIVER\s+OPEN BLOCK\s+DEPOSIT\s+SPENT\s+STATE$/);
    expect(rest).toEqual([]);
    expect(row!.split(/\s{2,}/)).toEqual([
      site.url,
      site.receiver,
      String(created!.args.openBlockNumber),
      `${formatUnits(created!.args.deposit!, 18)} TKN`,
      "0.000000000000000023 TKN",
      "open",
    ]);
  });

  it("answers exit 5 with the site's message for an HTTP error", async () => {
    const r = await alice.run(["get", `${site.url}/api/echo/dyn/not-a-number`]);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/answered HTTP 400 .*param must be a decimal integer/);
    expect(r.stdout).toBe("");
  });

  it("closes cooperatively and the chain pays out exactly", async () => {
    const [created] = await channelsCreatedBy(alice.account.address);
    const deposit = created!.args.deposit!;
    const spent = 23n;
    const [payerBefore, receiverBefore] = await Promise.all([
      tokenBalance(alice.account.address),
      tokenBalance(site.receiver),
    ]);
    const r = await alice.run(["close"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/closed cooperatively/);
    const [payerAfter, receiverAfter] = await Promise.all([
      tokenBalance(alice.account.address),
      tokenBalance(site.receiver),
    ]);
    expect(receiverAfter - receiverBefore).toBe(spent);
    expect(payerAfter - payerBefore).toBe(deposit - spent);
    // The channel is gone from the contract.
    await expect(
      site.publicClient.readContract({
        address: site.deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "getChannelInfo",
        args: [alice.account.address, site.receiver, created!.args.openBlockNumber!],
      }),
    ).rejects.toThrow();
    const list = await alice.run(["channels"]);
    expect(list.stdout).toMatch(/settled/);
  });
});

describe("paychan close without the site, then settle", () => {
  it("falls back to an uncooperative close, refuses to settle early, then settles exactly", async () => {
    const henry = await payer("henry");
    const paid = await henry.run(["get", `${site.url}/api/echo/dyn/40`]);
    expect(paid.code, paid.stderr).toBe(0);
    const [created] = await channelsCreatedBy(henry.account.address);
    const deposit = created!.args.deposit!;
    const [payerBefore, receiverBefore] = await Promise.all([
      tokenBalance(henry.account.address),
      tokenBalance(site.receiver),
    ]);

    const gone = `http://127.0.0.1:${await getFreePort()}`;
    const closed = await henry.run(["close", "--site", gone]);
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.stderr).toMatch(/closed uncooperatively at balance 0\.00000000000000004 TKN/);
    expect(closed.stderr).toMatch(/run `settle --channel \d+` after block \d+/);

    const early = await henry.run(["settle"]);
    expect(early.code).toBe(4);
    expect(early.stderr).toMatch(/paychan: challenge-period: .*can be settled after block/);

    const { challengePeriod } = site.deployment;
    await site.testClient.mine({ blocks: challengePeriod + 1 });
    const settled = await henry.run(["settle"]);
    expect(settled.code, settled.stderr).toBe(0);
    expect(settled.stderr).toMatch(/settled the channel of block/);
    const [payerAfter, receiverAfter] = await Promise.all([
      tokenBalance(henry.account.address),
      tokenBalance(site.receiver),
    ]);
    expect(receiverAfter - receiverBefore).toBe(40n);
    expect(payerAfter - payerBefore).toBe(deposit - 40n);
  });
});

describe("paychan refusals", () => {
  it("refuses a price above --max-price with exit 2 and sends no transaction", async () => {
    const bob = await payer("bob");
    const r = await bob.run([
      "get",
      "--max-price",
      "0.000000000000000004",
      `${site.url}/api/echo/fix/x`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "paychan: over-policy: the price 0.000000000000000005 TKN is above --max-price 0.000000000000000004 TKN; nothing was paid",
    );
    expect(r.stdout).toBe("");
    expect(await nonceOf(bob.account.address)).toBe(0);
    expect(await channelsCreatedBy(bob.account.address)).toHaveLength(0);
  });

  it("refuses a price above --budget with exit 2", async () => {
    const bob = await payer("bob-budget");
    const r = await bob.run([
      "get",
      "--budget",
      "0.000000000000000004",
      `${site.url}/api/echo/fix/x`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /over-policy: paying 0.000000000000000005 TKN would exceed --budget 0.000000000000000004 TKN/,
    );
    expect(await nonceOf(bob.account.address)).toBe(0);
  });

  it("opens a new channel with exactly --deposit", async () => {
    const carol = await payer("carol");
    const r = await carol.run(["get", "--deposit", "0.001", `${site.url}/api/echo/fix/deposit`]);
    expect(r.code, r.stderr).toBe(0);
    const created = await channelsCreatedBy(carol.account.address);
    expect(created.map((e) => e.args.deposit)).toEqual([TOKEN / 1000n]);
  });

  it("refuses a key file others can read (mode 0644) with exit 1 and touches nothing", async () => {
    const dave = await payer("dave");
    chmodSync(dave.keyFile, 0o644);
    const r = await dave.run(["get", `${site.url}/api/echo/fix/x`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/key file .* is readable by others \(mode 0644\): run `chmod 600 /);
    expect(await nonceOf(dave.account.address)).toBe(0);
  });

  it("takes the key from PAYER_PRIVATE_KEY and refuses a malformed one", async () => {
    const erin = await site.fundedAccount(DEFAULT_TOKENS);
    // No --state: the channels go to $XDG_CONFIG_HOME/paychan/channels.json.
    const ok = await cli(["--rpc-url", site.rpcUrl, "get", `${site.url}/api/echo/fix/env`], {
      PAYER_PRIVATE_KEY: erin.key,
    });
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({ echo: "env" });
    const stored = JSON.parse(readFileSync(path.join(dir, "xdg/paychan/channels.json"), "utf8"));
    expect(stored.channels).toEqual([
      expect.objectContaining({ sender: erin.address, balance: "5", siteOrigin: site.url }),
    ]);
    const bad = await cli(["--rpc-url", site.rpcUrl, "get", `${site.url}/api/echo/fix/env`], {
      PAYER_PRIVATE_KEY: "0x1234",
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/PAYER_PRIVATE_KEY is not a 0x-prefixed 32-byte hex private key/);
    const none = await cli(["--rpc-url", site.rpcUrl, "channels"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no payer key: pass --key-file/);
  });

  it("reports an unreachable site with exit 3", async () => {
    const frank = await payer("frank");
    const port = await getFreePort();
    const r = await frank.run(["get", `http://127.0.0.1:${port}/api/echo/fix/x`]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(new RegExp(`paychan: .*127\\.0\\.0\\.1:${port}`));
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(await nonceOf(frank.account.address)).toBe(0);
  });

  it("reports an unreachable RPC with exit 3", async () => {
    const frank = await payer("frank-rpc");
    const port = await getFreePort();
    const r = await cli([
      "--rpc-url",
      `http://127.0.0.1:${port}`,
      "--key-file",
      frank.keyFile,
      "get",
      `${site.url}/api/echo/fix/x`,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the RPC .* is unreachable/);
  });

  it("reports a payer without tokens with exit 4 and sends no transaction", async () => {
    const grace = await payer("grace", { tokens: 0n });
    const r = await grace.run(["get", `${site.url}/api/echo/fix/x`]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /paychan: no-tokens: the payer holds 0 TKN, the deposit needs 0.00000000000000005 TKN/,
    );
    expect(await nonceOf(grace.account.address)).toBe(0);
  });

  it("reports a payer without ETH for gas with exit 4 and sends no transaction", async () => {
    const ivan = await payer("ivan", { eth: 0n });
    const r = await ivan.run(["get", `${site.url}/api/echo/fix/x`]);
    expect(r.code).toBe(4);
    // One error line, the last one: progress lines may come before it.
    const lines = r.stderr.trim().split("\n");
    expect(lines.at(-1)).toMatch(/^paychan: no-eth: /);
    expect(lines.filter((l) => l.startsWith("paychan:"))).toHaveLength(1);
    expect(await nonceOf(ivan.account.address)).toBe(0);
  });

  it("reports an RPC of another chain than the site's with exit 4", async () => {
    const other = await startAnvil({ args: ["--chain-id", "1337"] });
    try {
      const judy = await payer("judy");
      const r = await cli([
        "--rpc-url",
        other.rpcUrl,
        "--key-file",
        judy.keyFile,
        "--state",
        judy.state,
        "get",
        `${site.url}/api/echo/fix/x`,
      ]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/paychan: wrong-chain: .*(1337|31337)/);
    } finally {
      await other.stop();
    }
  });

  it("rejects a bad amount with exit 1", async () => {
    const r = await cli(["get", "--max-price", "1,5", `${site.url}/api/echo/fix/x`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--max-price: "1,5" is not an amount of TKN/);
  });
});

describe("paychan prices and discovery", () => {
  it("prints the site's price list with every seeded article", async () => {
    const r = await cli(["prices", site.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`contract  ${site.deployment.contract}`);
    expect(r.stdout).toContain("chain id  31337");
    for (const a of seedArticles) {
      expect(r.stdout).toMatch(
        new RegExp(
          `article\\s+${formatUnits(BigInt(seedPrice(a.cents, 18)), 18)} TKN\\s+/articles/${a.slug}\\s+`,
        ),
      );
    }
    expect(r.stdout).toMatch(/api\s+0\.000000000000000005 TKN\s+\/api\/echo\/fix\/\{text\}/);
  });

  it("serves /api/1/prices and /llms.txt publicly with security headers", async () => {
    const prices = await fetch(`${site.url}/api/1/prices`);
    expect(prices.status).toBe(200);
    expect(prices.headers.get("content-type")).toMatch(/application\/json/);
    expect(prices.headers.get("content-security-policy")).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(prices.headers.get("x-content-type-options")).toBe("nosniff");
    expect(((await prices.json()) as { contract: Hex }).contract).toBe(site.deployment.contract);

    const llms = await fetch(`${site.url}/llms.txt`);
    expect(llms.status).toBe(200);
    expect(llms.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(llms.headers.get("x-content-type-options")).toBe("nosniff");
    expect(llms.headers.get("x-frame-options")).toBe("DENY");
    expect(llms.headers.get("content-security-policy")).toMatch(/frame-ancestors 'none'/);
    const text = await llms.text();
    expect(text).toContain(site.deployment.contract);
    expect(text).toContain(`${site.url}/api/1/prices`);
  });
});
