/**
 * Builders shared by the relayed close and faucet suites: readers without ETH, relayed opens
 * signed with EIP-3009, and the receiver's nonce and ETH that a refusal must leave untouched.
 */
import { expect } from "vitest";
import { zeroAddress, type Address, type PrivateKeyAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as channelsRoute from "@/app/api/1/channels/route";
import { demoDollarAbi } from "@/lib/chain/abi";
import { db } from "@/lib/db/client";
import { randomSalt, signOpenAuthorization, type TokenDomain } from "@/lib/protocol";
import type { SiteFixture } from "../../helpers/site-fixture";
import { apiRequest } from "../api-helpers";

export const USD = 1_000_000n;

/** A fresh account with `tokens` base units of DemoDollar (minted by the receiver) and no ETH. */
export async function ethlessReader(site: SiteFixture, tokens = 20n * USD) {
  const account = privateKeyToAccount(generatePrivateKey());
  if (tokens > 0n) {
    const hash = await site.wallet(site.receiver).writeContract({
      address: site.deployment.token,
      abi: demoDollarAbi,
      functionName: "mintTo",
      args: [account.address, tokens],
    });
    await site.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  }
  return account;
}

/** Opens a channel for `reader` through `POST /api/1/channels`; returns its open block. */
export async function relayedOpen(
  site: SiteFixture,
  domain: TokenDomain,
  reader: PrivateKeyAccount,
  deposit: bigint,
): Promise<number> {
  const authorization = {
    sender: reader.address,
    receiver: site.receiver.address,
    deposit,
    signer: zeroAddress,
    salt: randomSalt(),
    validAfter: 0n,
    validBefore: (await site.publicClient.getBlock()).timestamp + 600n,
  };
  const signature = await signOpenAuthorization({
    account: reader,
    domain,
    contract: site.deployment.contract,
    authorization,
  });
  const res = await channelsRoute.POST(
    apiRequest("/api/1/channels", {
      method: "POST",
      headers: { "x-forwarded-for": "198.51.100.1" },
      body: {
        sender: reader.address,
        deposit: deposit.toString(),
        signer: zeroAddress,
        salt: authorization.salt,
        valid_after: "0",
        valid_before: authorization.validBefore.toString(),
        signature,
      },
    }),
  );
  const body = (await res.json()) as { open_block: number };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.open_block;
}

export const tokenBalance = (site: SiteFixture, address: Address) =>
  site.publicClient.readContract({
    address: site.deployment.token,
    abi: demoDollarAbi,
    functionName: "balanceOf",
    args: [address],
  });

/** What a refusal must leave as it was: the receiver's nonce and ETH, and the Relay rows. */
async function receiverState(site: SiteFixture) {
  const address = site.receiver.address;
  const [nonce, eth, relays] = await Promise.all([
    site.publicClient.getTransactionCount({ address, blockTag: "pending" }),
    site.publicClient.getBalance({ address }),
    db().relay.count(),
  ]);
  return { nonce, eth, relays };
}

/**
 * Expects a refusal with `status` and an `error` matching `pattern` that sent no transaction,
 * cost the receiver nothing and recorded no relay.
 */
export async function expectRefused(
  site: SiteFixture,
  send: () => Promise<Response>,
  status: number,
  pattern: RegExp,
): Promise<void> {
  const before = await receiverState(site);
  const res = await send();
  const body = (await res.json()) as { error: string };
  expect({ status: res.status, error: body.error }).toEqual({
    status,
    error: expect.stringMatching(pattern),
  });
  expect(await receiverState(site)).toEqual(before);
}
