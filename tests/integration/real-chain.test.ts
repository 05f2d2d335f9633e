/**
 * The site on a chain other than the local development chain (anvil started with the chain id of
 * Sepolia), configured the way an operator of a real network would: contract and token addresses
 * from the environment, no deployment file, the operator's own receiver key. The chain id is always
 * the node's; a configuration that does not match the chain is refused with a message that names
 * what differs; the relaxed local defaults do not apply.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { parseEther, toHex, type Hex, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { resetChainConfig } from "@/lib/chain/config";
import * as closeRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import { resetEnv } from "@/lib/env";
import { runSyncPass } from "@/lib/indexer";
import { channelDomain, signBalanceProof, signCloseRequest } from "@/lib/protocol";
import { call, paymentHeaders } from "../helpers/paywall";
import { ANVIL_KEYS, startSiteFixture, TOKEN, type SiteFixture } from "../helpers/site-fixture";
import { apiRequest, ctx, postVerify } from "./api-helpers";
import { createSiweMessage } from "viem/siwe";
import * as nonceRoute from "@/app/api/1/auth/nonce/route";

const CHAIN_ID = 11155111;
let f: SiteFixture;
let receiver: PrivateKeyAccount;
let receiverKey: Hex;
let reader: PrivateKeyAccount;
let openBlock: number;
let base: Record<string, string | undefined>;

/** Replaces the listed variables (undefined deletes one) and reloads the configuration. */
function setEnv(vars: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
  resetChainConfig();
}

function sign(balance: bigint, chainId = CHAIN_ID): Promise<Hex> {
  return signBalanceProof({
    account: reader,
    domain: channelDomain({ chainId, contract: f.deployment.contract }),
    message: {
      sender: reader.address,
      receiver: receiver.address,
      openBlockNumber: openBlock,
      balance,
    },
  });
}

async function pay(balance: bigint, chainId = CHAIN_ID): Promise<Response> {
  return call(
    fix,
    "/api/echo/fix/hi",
    { param: "hi" },
    {
      accept: "application/json",
      ...paymentHeaders(reader.address, openBlock, balance, await sign(balance, chainId)),
    },
  );
}

async function refusal(): Promise<{ status: number; error: string }> {
  const res = await call(fix, "/api/echo/fix/hi", { param: "hi" });
  return { status: res.status, error: ((await res.json()) as { error: string }).error };
}

beforeAll(async () => {
  f = await startSiteFixture({ anvilArgs: ["--chain-id", String(CHAIN_ID)] });
  receiverKey = generatePrivateKey();
  receiver = privateKeyToAccount(receiverKey);
  reader = f.readers[0]!;
  await f.testClient.setBalance({ address: receiver.address, value: parseEther("10") });
  base = {
    DEPLOYMENT_FILE: path.join(f.dir, "no-such-deployment.json"),
    CONTRACT_ADDRESS: f.deployment.contract,
    TOKEN_ADDRESS: f.deployment.token,
    START_BLOCK: String(f.deployment.startBlock),
    RECEIVER_PRIVATE_KEY: receiverKey,
    CONFIRMATIONS: "1",
    MIN_RECEIVER_ETH_WEI: undefined,
  };
  setEnv(base);
  const w = f.wallet(reader);
  const deposit = 10n * TOKEN;
  await f.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [f.deployment.contract, deposit],
    }),
  });
  const receipt = await f.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({
      address: f.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "createChannel",
      args: [receiver.address, deposit, "0x0000000000000000000000000000000000000000"],
    }),
  });
  openBlock = Number(receipt.blockNumber);
  await f.mine(1);
  await runSyncPass();
});
afterAll(async () => {
  await f?.stop();
});

describe("env-override mode on chain 11155111", () => {
  it("announces the node's chain id and accepts only proofs signed for it", async () => {
    const unpaid = await call(fix, "/api/echo/fix/hi", { param: "hi" });
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get("RDN-Chain-Id")).toBe(String(CHAIN_ID));
    expect(unpaid.headers.get("RDN-Receiver-Address")).toBe(receiver.address);

    const wrongChain = await pay(5n, 31337);
    expect(wrongChain.status).toBe(402);
    expect(wrongChain.headers.get("RDN-Invalid-Balance-Proof")).toBe("1");

    const paid = await pay(5n);
    expect(paid.status).toBe(200);
    expect(await paid.json()).toEqual({ echo: "hi" });
  });

  it("signs a cooperative close the contract accepts on this chain", async () => {
    const balance = 5n;
    // A close request signed by the sender for this chain's domain authorises the close.
    const nonce = toHex(randomBytes(32));
    const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
    const res = await closeRoute.DELETE(
      apiRequest(`/api/1/channels/${reader.address}/${openBlock}`, {
        method: "DELETE",
        body: {
          balance: balance.toString(),
          balance_signature: await sign(balance),
          close_request: {
            nonce,
            expires: expires.toString(),
            signature: await signCloseRequest({
              account: reader,
              domain: channelDomain({ chainId: CHAIN_ID, contract: f.deployment.contract }),
              message: {
                sender: reader.address,
                receiver: receiver.address,
                openBlockNumber: openBlock,
                balance,
                nonce,
                expires,
              },
            }),
          },
        },
      }),
      ctx({ sender: reader.address, open_block: String(openBlock) }),
    );
    expect(res.status, await res.clone().text()).toBe(200);
    const { close_signature } = (await res.json()) as { close_signature: Hex };
    const before = (await f.publicClient.readContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [receiver.address],
    })) as bigint;
    const receipt = await f.publicClient.waitForTransactionReceipt({
      hash: await f.wallet(reader).writeContract({
        address: f.deployment.contract,
        abi: microTransferChannelsAbi,
        functionName: "cooperativeClose",
        args: [
          reader.address,
          receiver.address,
          openBlock,
          balance,
          await sign(balance),
          close_signature,
        ],
      }),
    });
    expect(receipt.status).toBe("success");
    const after = (await f.publicClient.readContract({
      address: f.deployment.token,
      abi: demoTokenAbi,
      functionName: "balanceOf",
      args: [receiver.address],
    })) as bigint;
    expect(after - before).toBe(balance);
  });

  it("signs in with SIWE on this chain and refuses a message for another chain", async () => {
    const message = async (chainId: number) => {
      const res = await nonceRoute.GET(new Request("http://127.0.0.1:3000/api/1/auth/nonce"));
      const { nonce } = (await res.json()) as { nonce: string };
      return createSiweMessage({
        domain: "127.0.0.1:3000",
        address: reader.address,
        uri: "http://127.0.0.1:3000",
        version: "1",
        chainId,
        nonce,
        issuedAt: new Date(),
      });
    };
    const good = await message(CHAIN_ID);
    const ok = await postVerify(good, await reader.signMessage({ message: good }));
    expect(ok.status, await ok.clone().text()).toBe(200);
    const other = await message(31337);
    const refused = await postVerify(other, await reader.signMessage({ message: other }));
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: string }).error).toContain(
      `chain ID 31337 is not ${CHAIN_ID}`,
    );
  });
});

describe("a configuration that does not match the chain is refused", () => {
  it("a deployment file for another chain", async () => {
    const file = path.join(f.dir, "deployment-31337.json");
    writeFileSync(file, JSON.stringify({ ...f.deployment, chainId: 31337, deployedAt: "" }));
    try {
      setEnv({
        ...base,
        DEPLOYMENT_FILE: file,
        CONTRACT_ADDRESS: undefined,
        TOKEN_ADDRESS: undefined,
      });
      const { status, error } = await refusal();
      expect(status).toBe(503);
      expect(error).toContain("is for chain 31337 but the RPC serves chain 11155111");
    } finally {
      setEnv(base);
    }
  });

  it("no code at the token address, or a token the contract does not escrow", async () => {
    const nowhere = privateKeyToAccount(generatePrivateKey()).address;
    try {
      setEnv({ ...base, TOKEN_ADDRESS: nowhere });
      const missing = await refusal();
      expect(missing.status).toBe(503);
      expect(missing.error).toContain(
        `no contract code at the token address ${nowhere} on chain 11155111`,
      );
      // Code, but not the escrowed token: the channel contract itself.
      setEnv({ ...base, TOKEN_ADDRESS: f.deployment.contract });
      const other = await refusal();
      expect(other.status).toBe(503);
      expect(other.error).toContain(
        `escrows token ${f.deployment.token}, not the configured ${f.deployment.contract}`,
      );
    } finally {
      setEnv(base);
    }
  });

  it("zero confirmations and well-known development keys are refused off the local chain", async () => {
    try {
      setEnv({ ...base, CONFIRMATIONS: "0" });
      const zero = await refusal();
      expect(zero.status).toBe(503);
      expect(zero.error).toContain("CONFIRMATIONS=0 on chain 11155111");
      setEnv({ ...base, CONFIRMATIONS: "0", ALLOW_ZERO_CONFIRMATIONS: "true" });
      expect((await refusal()).status).toBe(402);

      setEnv({ ...base, RECEIVER_PRIVATE_KEY: ANVIL_KEYS[0] });
      const dev = await refusal();
      expect(dev.status).toBe(503);
      expect(dev.error).toContain("well-known development key");
    } finally {
      setEnv({ ...base, ALLOW_ZERO_CONFIRMATIONS: undefined });
    }
  });

  it("the receiver ETH minimum follows the gas price: below it paid routes answer 502", async () => {
    const gasPrice = await f.publicClient.getGasPrice();
    const minimum = gasPrice * 90_000n * 10n;
    try {
      await f.testClient.setBalance({ address: receiver.address, value: minimum - 1n });
      setEnv(base);
      const low = await refusal();
      expect(low.status).toBe(502);
      expect(low.error).toContain("needed to dispute channel closes");
      await f.testClient.setBalance({ address: receiver.address, value: minimum * 2n });
      setEnv(base);
      expect((await refusal()).status).toBe(402);
    } finally {
      await f.testClient.setBalance({ address: receiver.address, value: parseEther("10") });
      setEnv(base);
    }
  });
});

describe("npm run deploy on a real chain", () => {
  const deploy = (args: string[], key: Hex) =>
    spawnSync(
      path.resolve("node_modules/.bin/tsx"),
      ["scripts/deploy.ts", "--rpc-url", f.rpcUrl, ...args],
      {
        env: { ...process.env, DEPLOYER_PRIVATE_KEY: key, CHALLENGE_PERIOD: "" },
        encoding: "utf8",
      },
    );

  it("requires an explicit challenge period, refuses development keys, warns under a day", async () => {
    const own = generatePrivateKey();
    await f.testClient.setBalance({
      address: privateKeyToAccount(own).address,
      value: parseEther("10"),
    });
    const out = path.join(f.dir, "real-deployment.json");
    const token = ["--token", f.deployment.token, "--out", out];

    const noPeriod = deploy(token, own);
    expect(noPeriod.status).toBe(1);
    expect(noPeriod.stderr).toContain("--challenge-period is required on chain 11155111");

    const devKey = deploy([...token, "--challenge-period", "10000"], ANVIL_KEYS[5]!);
    expect(devKey.status).toBe(1);
    expect(devKey.stderr).toContain("well-known development key");

    // 1,000 blocks 12 s apart: a day is 7,200 blocks.
    await f.testClient.request({
      method: "anvil_mine" as never,
      params: ["0x3e8", "0xc"] as never,
    });
    const short = deploy([...token, "--challenge-period", "600"], own);
    expect(short.status, short.stderr).toBe(0);
    expect(short.stderr).toMatch(
      /600 blocks is shorter than 24 hours on chain 11155111 \(about 7\d\d\d blocks a day\)/,
    );

    const day = deploy([...token, "--challenge-period", "8000"], own);
    expect(day.status, day.stderr).toBe(0);
    expect(day.stderr).not.toContain("shorter than 24 hours");
  });
});
