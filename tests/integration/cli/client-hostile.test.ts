/**
 * `paychan get` against a hostile site (tests/helpers/hostile-site.ts) on a real chain: the site
 * keeps every proof and asks again, or redirects the paid request to another receiver. The CLI
 * exits 2 with the reason, and what the site can cash stays within `--max-price` and `--budget`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { privateKeyToAccount } from "viem/accounts";
import { runCli } from "../../helpers/cli";
import { startHostileSite, type HostileSite } from "../../helpers/hostile-site";
import { ANVIL_KEYS, setupSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

let dir: string;
const sites: HostileSite[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "cli-hostile-"));
});
afterAll(async () => {
  await Promise.all(sites.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function hostile(
  behave: Parameters<typeof startHostileSite>[0]["behave"],
  receiver = site.receiver.address,
) {
  const h = await startHostileSite({
    identity: {
      receiver,
      contract: site.deployment.contract,
      token: site.deployment.token,
      chainId: site.deployment.chainId,
    },
    price: TOKEN,
    chainId: site.deployment.chainId,
    behave,
  });
  sites.push(h);
  return h;
}

/** A reader's key file (mode 600) and state file, and a runner of `paychan` for them. */
function reader(n: number) {
  const keyFile = path.join(dir, `reader-${n}.key`);
  writeFileSync(keyFile, `${ANVIL_KEYS[n]}\n`, { mode: 0o600 });
  const state = path.join(dir, `reader-${n}.json`);
  const run = (args: string[]) =>
    runCli(
      ["--rpc-url", site.rpcUrl, "--key-file", keyFile, "--state", state, ...args],
      path.join(dir, "xdg"),
    );
  return { run, state, address: privateKeyToAccount(ANVIL_KEYS[n]!).address };
}

describe("paychan get against a site that keeps each proof", () => {
  it("signs once within --max-price 1 --budget 1 per run and exits 2 with paid-not-served", async () => {
    const h = await hostile(() => ({ type: "keep" }));
    const r = reader(1);
    const first = await r.run(["get", "--max-price", "1", "--budget", "1", `${h.url}/articles/a`]);
    expect(first.code).toBe(2);
    expect(first.stderr).toContain("paid-not-served");
    expect(first.stdout).toBe("");
    expect(h.proofs.map((p) => p.balance)).toEqual([TOKEN]);
    expect(h.cashable()).toBe(TOKEN);

    // A second run on the same channel: the site's corrective proof is adopted, one more
    // signature (within this run's budget), then refused again.
    const second = await r.run(["get", "--max-price", "1", "--budget", "1", `${h.url}/articles/b`]);
    expect(second.code).toBe(2);
    expect(h.cashable()).toBe(2n * TOKEN);
    // The state file remembers the highest balance signed.
    const stored = JSON.parse(readFileSync(r.state, "utf8")) as {
      channels: { balance: string; signed?: string }[];
    };
    const highest = BigInt(stored.channels[0]!.signed ?? stored.channels[0]!.balance);
    expect(highest).toBe(2n * TOKEN);
  });

  it("never sends a proof across a redirect to another origin (exit 5 names the redirect)", async () => {
    const other = await hostile(
      () => ({ type: "keep" }),
      privateKeyToAccount(ANVIL_KEYS[9]!).address,
    );
    const h = await hostile(() => ({ type: "redirect", location: other.url }));
    const r = reader(2);
    const res = await r.run(["get", "--max-price", "1", `${h.url}/articles/moved`]);
    expect(res.code).toBe(5);
    expect(res.stderr).toContain("307");
    expect(other.requests).toEqual([]);
    expect(h.cashable()).toBe(TOKEN);
  });
});
