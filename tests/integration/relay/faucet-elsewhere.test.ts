/**
 * The faucet exists only on the local development chain: on any other chain (here anvil answering
 * chain id 1337, served as a real network would be: its own receiver key, confirmations required)
 * `POST /api/1/faucet` is a 404 that sends nothing.
 */
import { describe, expect, it } from "vitest";
import { parseEther } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as faucetRoute from "@/app/api/1/faucet/route";
import { setupSiteFixture, withEnv, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest } from "../api-helpers";
import { expectRefused, tokenBalance } from "./relay-helpers";

let site: SiteFixture;
setupSiteFixture(
  (s) => {
    site = s;
  },
  { token: "DemoDollar", anvilArgs: ["--chain-id", "1337"] },
);

describe("POST /api/1/faucet off the local chain", () => {
  it("is not found (404), nothing minted, nothing sent by the site's receiver", async () => {
    expect(site.deployment.chainId).toBe(1337);
    const receiverKey = generatePrivateKey();
    const receiver = privateKeyToAccount(receiverKey).address;
    await site.testClient.setBalance({ address: receiver, value: parseEther("10") });
    const reader = privateKeyToAccount(generatePrivateKey());
    const env = {
      RECEIVER_PRIVATE_KEY: receiverKey,
      CONFIRMATIONS: "1",
      MIN_RECEIVER_ETH_WEI: undefined,
    };
    await withEnv(env, () =>
      expectRefused(
        site,
        () =>
          faucetRoute.POST(
            apiRequest("/api/1/faucet", { method: "POST", body: { address: reader.address } }),
          ),
        404,
        /^faucet: only on the local development chain \(this site is on chain 1337\)$/,
      ),
    );
    expect(await tokenBalance(site, reader.address)).toBe(0n);
    expect(await site.publicClient.getTransactionCount({ address: receiver })).toBe(0);
    expect(await site.publicClient.getBalance({ address: receiver })).toBe(parseEther("10"));
  });
});
