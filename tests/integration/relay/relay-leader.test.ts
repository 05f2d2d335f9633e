/**
 * PostgreSQL pass only: a relayed open (or close) asked of an instance that does not lead becomes
 * a LeaderTask; the leader submits it through its transaction queue and the 201 (or the policy's
 * refusal, with its status) comes back to the asking instance.
 */
import pg from "pg";
import { describe, expect, it } from "vitest";
import { zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as closeRoute from "@/app/api/1/channels/[sender]/[open_block]/close/route";
import * as channelsRoute from "@/app/api/1/channels/route";
import { demoDollarAbi } from "@/lib/chain/abi";
import { runQueuedTasks } from "@/lib/cluster/leader-tasks";
import { acquireLeadership, LEADER_LOCK_KEY, releaseLeadership } from "@/lib/cluster/leadership";
import { db } from "@/lib/db/client";
import { runSyncPass } from "@/lib/indexer";
import { randomSalt, readTokenDomain, signOpenAuthorization } from "@/lib/protocol";
import { setupSiteFixture, withEnv, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest, closeRequestFor, ctx, proofFor } from "../api-helpers";

const USD = 1_000_000n;
let site: SiteFixture;
setupSiteFixture(
  (s) => {
    site = s;
  },
  { token: "DemoDollar", env: { RELAY_MIN_DEPOSIT: String(USD) } },
);

async function openRequest(reader = privateKeyToAccount(generatePrivateKey())) {
  const hash = await site.wallet(site.receiver).writeContract({
    address: site.deployment.token,
    abi: demoDollarAbi,
    functionName: "mintTo",
    args: [reader.address, 10n * USD],
  });
  await site.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  const authorization = {
    sender: reader.address,
    receiver: site.receiver.address,
    deposit: 2n * USD,
    signer: zeroAddress,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: (await site.publicClient.getBlock()).timestamp + 600n,
  };
  const signature = await signOpenAuthorization({
    account: reader,
    domain: await readTokenDomain(site.publicClient, site.deployment.token),
    contract: site.deployment.contract,
    authorization,
  });
  return apiRequest("/api/1/channels", {
    method: "POST",
    headers: { "x-forwarded-for": "198.51.100.20" },
    body: {
      sender: reader.address,
      deposit: authorization.deposit.toString(),
      signer: zeroAddress,
      salt: authorization.salt,
      valid_after: "0",
      valid_before: authorization.validBefore.toString(),
      signature,
    },
  });
}

/** Asks with another instance leading, then takes over the lead and runs the queued task. */
async function askedOfNonLeader(send: () => Promise<Response>): Promise<Response> {
  await releaseLeadership();
  const other = new pg.Client({ connectionString: site.databaseUrl });
  await other.connect();
  const { rows } = await other.query("SELECT pg_try_advisory_lock($1::bigint) AS ok", [
    LEADER_LOCK_KEY,
  ]);
  expect(rows[0].ok).toBe(true);
  const asked = send();
  let queued = null;
  for (let i = 0; i < 200 && !queued; i++) {
    queued = await db().leaderTask.findFirst({ where: { kind: "relay", state: "queued" } });
    if (!queued) await new Promise((r) => setTimeout(r, 50));
  }
  expect(queued, "no queued relay task").not.toBeNull();
  await other.end();
  expect(await acquireLeadership()).toBe(true);
  expect(await runQueuedTasks()).toBe(1);
  return asked;
}

describe.runIf(process.env.TEST_DATABASE === "postgres")("relay through the leader", () => {
  it("a relayed open asked of a non-leader is sent by the leader and answered 201", async () => {
    const req = await openRequest();
    const res = await askedOfNonLeader(() => channelsRoute.POST(req));
    const body = (await res.json()) as { open_block: number; deposit: string; tx_hash: string };
    expect(res.status, JSON.stringify(body)).toBe(201);
    expect(body.deposit).toBe(String(2n * USD));
    expect(await db().relay.findFirst({ where: { txHash: body.tx_hash } })).toMatchObject({
      state: "mined",
      openBlock: body.open_block,
    });
    const task = await db().leaderTask.findFirstOrThrow({ where: { kind: "relay" } });
    expect(task.state).toBe("done");
  });

  it("the leader's refusal comes back with its status and message, nothing sent", async () => {
    await withEnv({ RELAY_MAX_PER_IP_PER_HOUR: "1" }, async () => {
      const req = await openRequest();
      const nonce = await site.publicClient.getTransactionCount({
        address: site.receiver.address,
      });
      const res = await askedOfNonLeader(() => channelsRoute.POST(req));
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({
        code: "too_many_requests",
        error: expect.stringMatching(/^rate: your address had 1 relays in the last hour/),
        retry_after: 3600,
      });
      expect(await site.publicClient.getTransactionCount({ address: site.receiver.address })).toBe(
        nonce,
      );
    });
  });

  it("a relayed close asked of a non-leader is sent by the leader: the refund comes back", async () => {
    const reader = privateKeyToAccount(generatePrivateKey());
    const opened = await channelsRoute.POST(await openRequest(reader));
    const { open_block: openBlock } = (await opened.json()) as { open_block: number };
    expect(opened.status).toBe(201);
    await runSyncPass();
    const row = { reader, openBlock };
    const body = {
      balance: "0",
      balance_signature: await proofFor(site, row, 0n),
      close_request: await closeRequestFor(site, row, 0n),
    };
    const res = await askedOfNonLeader(() =>
      closeRoute.POST(
        apiRequest(`/api/1/channels/${reader.address}/${openBlock}/close`, {
          method: "POST",
          body,
          headers: { "x-forwarded-for": "198.51.100.21" },
        }),
        ctx({ sender: reader.address, open_block: String(openBlock) }),
      ),
    );
    const closed = (await res.json()) as { refund: string; tx_hash: string };
    expect(res.status, JSON.stringify(closed)).toBe(201);
    expect(closed.refund).toBe(String(2n * USD));
    expect(await db().relay.findFirst({ where: { txHash: closed.tx_hash } })).toMatchObject({
      kind: "close",
      state: "mined",
    });
  });
});
