/**
 * What a test does on the real site (tests/helpers/site-server.ts) as one of its accounts: sign in
 * over HTTP, open a channel on chain with the account's own ETH.
 */
import { expect } from "vitest";
import { createWalletClient, http, zeroAddress, type PrivateKeyAccount } from "viem";
import { createSiweMessage } from "viem/siwe";
import { demoTokenAbi, microTransferChannelsAbi } from "@/lib/chain/abi";
import { buildChain } from "@/lib/chain/chain";
import type { SiteServer } from "./site-server";

/** Signs in over HTTP as `account`; returns the session cookie (`name=value`). */
export async function signIn(site: SiteServer, account: PrivateKeyAccount): Promise<string> {
  const { nonce } = (await (await fetch(`${site.url}/api/1/auth/nonce`)).json()) as {
    nonce: string;
  };
  const message = createSiweMessage({
    domain: new URL(site.url).host,
    address: account.address,
    uri: site.url,
    version: "1",
    chainId: site.deployment.chainId,
    nonce,
    issuedAt: new Date(),
  });
  const res = await fetch(`${site.url}/api/1/auth/verify`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: site.url },
    body: JSON.stringify({ message, signature: await account.signMessage({ message }) }),
  });
  expect(res.status).toBe(200);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

/** A reader's channel opened on chain with its own ETH; returns its open block. */
export async function openChannel(
  site: SiteServer,
  reader: PrivateKeyAccount,
  deposit: bigint,
): Promise<number> {
  const w = createWalletClient({
    account: reader,
    chain: buildChain(site.deployment.chainId, site.rpcUrl),
    transport: http(site.rpcUrl),
  });
  await site.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({
      address: site.deployment.token,
      abi: demoTokenAbi,
      functionName: "approve",
      args: [site.deployment.contract, deposit],
    }),
  });
  const receipt = await site.publicClient.waitForTransactionReceipt({
    hash: await w.writeContract({
      address: site.deployment.contract,
      abi: microTransferChannelsAbi,
      functionName: "createChannel",
      args: [site.receiver, deposit, zeroAddress],
    }),
  });
  return Number(receipt.blockNumber);
}
