/**
 * Paid routes stop selling when the site cannot watch the channel contract: the indexer lags the
 * head by more than INDEXER_MAX_LAG_BLOCKS, or the RPC accepts connections but never answers
 * (502 within RPC_PROBE_TIMEOUT_MS, not after the client's long default timeout).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { articleRoute as article } from "../helpers/article-route";
import { resetChainConfig } from "@/lib/chain/config";
import { resetEnv } from "@/lib/env";
import { syncOnce } from "@/lib/indexer";
import { resetChainHealth } from "@/lib/paywall/health";
import { seed } from "@/prisma/seed";
import { call } from "../helpers/paywall";
import { startRpcStandIn, type RpcStandIn } from "../helpers/rpc-standin";
import { startSiteFixture, type SiteFixture } from "../helpers/site-fixture";

let f: SiteFixture;
let rpc: RpcStandIn;
const MAX_LAG = 5;

beforeAll(async () => {
  f = await startSiteFixture({ env: { INDEXER_MAX_LAG_BLOCKS: String(MAX_LAG) } });
  rpc = await startRpcStandIn(f.rpcUrl);
  process.env.RPC_URL = rpc.url;
  resetEnv();
  resetChainConfig();
  await seed();
});
afterEach(() => {
  vi.restoreAllMocks();
  rpc.hang = false;
  resetChainHealth();
});
afterAll(async () => {
  await f?.stop();
  await rpc?.close();
});

const read = () =>
  call(article, "/articles/why-payment-channels", { slug: "why-payment-channels" });

describe("indexer lag", () => {
  it("answers 502 naming the lag once the indexer is more than INDEXER_MAX_LAG_BLOCKS behind", async () => {
    await syncOnce();
    expect((await read()).status).toBe(402);

    await f.mine(MAX_LAG);
    resetChainHealth();
    expect((await read()).status).toBe(402); // exactly at the limit: still selling

    await f.mine(5);
    resetChainHealth();
    const res = await read();
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatch(
      /the site's view of the channel contract is 10 blocks behind/,
    );

    await syncOnce();
    resetChainHealth();
    expect((await read()).status).toBe(402);
  });
});

describe("an RPC that never answers", () => {
  it("a paid request gets its 502 within about RPC_PROBE_TIMEOUT_MS", async () => {
    await syncOnce();
    expect((await read()).status).toBe(402); // the chain configuration is loaded and cached

    rpc.hang = true;
    resetChainHealth();
    const started = Date.now();
    const res = await read();
    const elapsed = Date.now() - started;
    expect(res.status).toBe(502);
    expect(elapsed).toBeLessThan(3_000);
    expect((await res.json()).error).toMatch(/did not answer within 1500 ms/);

    rpc.hang = false;
    resetChainHealth();
    expect((await read()).status).toBe(402);
  });
});

describe("checking the chain in the background", () => {
  /** Moves the clock `ms` ahead (only `Date.now`, which the health cache reads). */
  function later(ms: number): void {
    const now = Date.now();
    vi.spyOn(Date, "now").mockImplementation(() => now + ms);
  }

  it("a result due for a check serves at once while the check runs; its failure counts next", async () => {
    await syncOnce();
    expect((await read()).status).toBe(402); // checked: healthy

    rpc.hang = true;
    later(6_000);
    const started = performance.now();
    expect((await read()).status).toBe(402); // not waiting for the hanging RPC
    expect(performance.now() - started).toBeLessThan(1_000);
    // The background check times out (RPC_PROBE_TIMEOUT_MS = 1500): the next request is refused.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const refused = await read();
    expect(refused.status).toBe(502);
    expect((await refused.json()).error).toMatch(/did not answer within 1500 ms/);
  });

  it("a healthy result older than 30 s no longer counts: the request waits for the check", async () => {
    await syncOnce();
    expect((await read()).status).toBe(402);

    rpc.hang = true;
    later(31_000);
    const started = performance.now();
    expect((await read()).status).toBe(502);
    expect(performance.now() - started).toBeGreaterThan(1_000);
  });
});
