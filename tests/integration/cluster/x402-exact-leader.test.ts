/**
 * An x402 `exact` payment that reaches an instance which does not lead, on a real PostgreSQL: the
 * leader settles it through the receiver's queue and the outcome comes back; the same
 * authorization asked again buys nothing.
 */
import pg from "pg";
import { x402Client } from "@x402/core/client";
import { registerExactEvmScheme } from "@x402/evm/exact/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { demoTokenAbi } from "@/lib/chain/abi";
import { chainConfig } from "@/lib/chain/config";
import { acquireLeadership, LEADER_LOCK_KEY, releaseLeadership } from "@/lib/cluster/leadership";
import { onLeader, runQueuedTasks } from "@/lib/cluster/leader-tasks";
import { db } from "@/lib/db/client";
import { exactRequirement } from "@/lib/x402/exact-offer";
import { startPostgres, type PostgresServer } from "../../../scripts/lib/postgres";
import { runScript, startSiteFixture, type SiteFixture } from "../../helpers/site-fixture";

let server: PostgresServer;
let url: string;
let f: SiteFixture;

beforeAll(async () => {
  server = await startPostgres({ fast: true, log: () => undefined });
  url = await server.createDatabase("x402_exact_leader");
  runScript(["scripts/prisma.mjs", "migrate", "deploy"], { DATABASE_URL: url });
  f = await startSiteFixture({ env: { DATABASE_URL: url }, token: "DemoDollar" });
});
afterAll(async () => {
  await releaseLeadership();
  await f?.stop();
  server?.stop();
});

const balanceOf = (address: `0x${string}`) =>
  f.publicClient.readContract({
    address: f.deployment.token,
    abi: demoTokenAbi,
    functionName: "balanceOf",
    args: [address],
  });

async function waitForQueued(kind: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await db().leaderTask.findFirst({ where: { kind, state: "queued" } })) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no queued ${kind} task appeared`);
}

it("is settled by the leader, recorded once, and a replay buys nothing", async () => {
  const payer = f.readers[0]!;
  const cfg = await chainConfig();
  const identity = {
    receiver: f.receiver.address,
    contract: f.deployment.contract,
    token: f.deployment.token,
    chainId: f.deployment.chainId,
  };
  const requirements = (await exactRequirement({ chain: cfg, identity, price: 12_345n }))!;
  const client = new x402Client();
  registerExactEvmScheme(client, { signer: payer });
  client.setSpendControls(false);
  const payload = await client.createPaymentPayload({
    x402Version: 2,
    resource: { url: "http://site.test/api/echo/fix/leader" },
    accepts: [requirements],
  });
  const input = { payload, requirements, resource: "echo:fix:leader" };
  const before = await balanceOf(payer.address);

  // Another instance leads: the request waits for it, then it hands over to this process.
  await releaseLeadership();
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  const { rows } = await other.query("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
    LEADER_LOCK_KEY,
  ]);
  expect(rows[0].ok).toBe(true);
  const asked = onLeader("x402Exact", input);
  await waitForQueued("x402Exact");
  await other.end();
  expect(await acquireLeadership()).toBe(true);
  expect(await runQueuedTasks()).toBe(1);
  const outcome = await asked;

  expect(outcome).toMatchObject({ success: true, payer: payer.address });
  expect(before - (await balanceOf(payer.address))).toBe(12_345n);
  const rows2 = await db().oneOffPayment.findMany();
  expect(rows2).toHaveLength(1);
  expect(rows2[0]).toMatchObject({ resource: "echo:fix:leader", amount: "12345" });

  const again = await onLeader("x402Exact", input);
  expect(again).toMatchObject({
    success: false,
    errorReason: "invalid_exact_evm_nonce_already_used",
  });
  expect(await db().oneOffPayment.count()).toBe(1);
});
