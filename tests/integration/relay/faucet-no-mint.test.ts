/**
 * A token without `mintTo` (the older DemoToken) on the local chain: `POST /api/1/faucet` says so
 * (501) and sends nothing.
 */
import { describe, it } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import * as faucetRoute from "@/app/api/1/faucet/route";
import { setupSiteFixture, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest } from "../api-helpers";
import { expectRefused } from "./relay-helpers";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

describe("POST /api/1/faucet with a token that has no mintTo", () => {
  it("is not implemented (501), nothing sent", async () => {
    const reader = privateKeyToAccount(generatePrivateKey());
    await expectRefused(
      site,
      () =>
        faucetRoute.POST(
          apiRequest("/api/1/faucet", { method: "POST", body: { address: reader.address } }),
        ),
      501,
      /^faucet: the site's token 0x[0-9a-fA-F]{40} has no mintTo; get test tokens with the token's mint\(\) instead$/,
    );
  });
});
