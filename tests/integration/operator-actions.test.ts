import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { POST as sync } from "@/app/api/1/sync/route";
import { POST as withdraw } from "@/app/api/1/withdraw/route";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { readDeployment } from "@/lib/chain/deployment";
import { db } from "@/lib/db/client";
import { call, paymentHeaders, proof } from "../helpers/paywall";
import { ANVIL_KEYS, startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";

let f: SiteFixture;
const bearer = { authorization: "Bearer test-api-token-0123456789" };
const post = (
  handler: (req: Request) => Promise<Response>,
  route: string,
  body?: unknown,
  headers: Record<string, string> = bearer,
) =>
  handler(
    new Request(`http://127.0.0.1:3000/api/1/${route}`, {
      method: "POST",
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );

beforeAll(async () => {
  f = await startSiteFixture();
});
afterAll(async () => f?.stop());

it("POST /api/1/sync indexes a new channel so it can pay at once; operators only", async () => {
  expect((await post(sync, "sync", undefined, {})).status).toBe(401);
  const reader = f.readers[0]!;
  const openBlock = await f.openChannel(reader, 10n * TOKEN);
  const sig = await proof(f, reader, reader.address, openBlock, 5n);
  const before = await call(
    fix,
    "/api/echo/fix/a",
    { param: "a" },
    paymentHeaders(reader.address, openBlock, 5n, sig),
  );
  expect(before.headers.get("RDN-Nonexisting-Channel")).toBe("1");

  const res = await post(sync, "sync");
  expect(res.status).toBe(200);
  const body = await res.json();
  expect(body.synced_block).toBeGreaterThanOrEqual(openBlock);
  expect(body.events).toBeGreaterThan(0);

  const after = await call(
    fix,
    "/api/echo/fix/a",
    { param: "a" },
    paymentHeaders(reader.address, openBlock, 5n, sig),
  );
  expect(after.status).toBe(200);
});

it("POST /api/1/withdraw collects exactly what open channels owe, once", async () => {
  const reader = f.readers[1]!;
  const openBlock = await f.openChannel(reader, 10n * TOKEN);
  await post(sync, "sync");
  let balance = 0n;
  for (let i = 0; i < 3; i++) {
    balance += 5n;
    const sig = await proof(f, reader, reader.address, openBlock, balance);
    expect(
      (
        await call(
          fix,
          `/api/echo/fix/${i}`,
          { param: String(i) },
          paymentHeaders(reader.address, openBlock, balance, sig),
        )
      ).status,
    ).toBe(200);
  }
  const balanceOf = () =>
    f.publicClient.readContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [f.receiver.address],
    });
  const tokensBefore = await balanceOf();
  expect((await post(withdraw, "withdraw", { minimum: "x" })).status).toBe(400);

  const res = await post(withdraw, "withdraw", { minimum: "1" });
  expect(res.status).toBe(200);
  const body = await res.json();
  const mine = body.withdrawals.filter(
    (w: { sender_address: string }) => w.sender_address === reader.address,
  );
  expect(mine).toHaveLength(1);
  expect(mine[0].amount).toBe(balance.toString());
  expect((await balanceOf()) - tokensBefore).toBe(BigInt(body.total));
  const info = await f.publicClient.readContract({
    address: f.deployment.contract,
    abi: microTransferChannelsAbi,
    functionName: "getChannelInfo",
    args: [reader.address, f.receiver.address, openBlock],
  });
  expect(info[4]).toBe(balance); // withdrawn balance on chain

  // The indexer projects the withdrawal; a second call finds nothing more to collect.
  await post(sync, "sync");
  const row = await db().channel.findUniqueOrThrow({
    where: { sender_openBlock: { sender: reader.address, openBlock } },
  });
  expect(row.withdrawn).toBe(balance.toString());
  const again = await (await post(withdraw, "withdraw", {})).json();
  expect(
    again.withdrawals.filter(
      (w: { sender_address: string }) => w.sender_address === reader.address,
    ),
  ).toHaveLength(0);
});

it("the deploy CLI deploys to any RPC URL and writes the deployment file", () => {
  const out = path.join(f.dir, "cli-deployment.json");
  const res = spawnSync(
    path.resolve("node_modules/.bin/tsx"),
    [
      "scripts/deploy.ts",
      "--rpc-url",
      f.rpcUrl,
      "--token",
      f.deployment.token,
      "--challenge-period",
      "600",
      "--out",
      out,
    ],
    {
      env: { ...process.env, DEPLOYER_PRIVATE_KEY: ANVIL_KEYS[3] },
      encoding: "utf8",
    },
  );
  expect(res.status, res.stderr).toBe(0);
  const written = readDeployment(out)!;
  expect(written.token).toBe(f.deployment.token); // an existing token is reused, not redeployed
  expect(written.challengePeriod).toBe(600);
  expect(res.stdout).toContain(written.contract);
  const bad = spawnSync(
    path.resolve("node_modules/.bin/tsx"),
    ["scripts/deploy.ts", "--rpc-url", f.rpcUrl, "--out", out],
    {
      env: { ...process.env, DEPLOYER_PRIVATE_KEY: "nope" },
      encoding: "utf8",
    },
  );
  expect(bad.status).toBe(1);
  expect(bad.stderr).toContain("DEPLOYER_PRIVATE_KEY");
});
