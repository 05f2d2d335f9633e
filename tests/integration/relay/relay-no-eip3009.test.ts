/**
 * A site whose token has no EIP-3009 (the demo's DemoToken: permit only) answers relayed opens and
 * top-ups with 501 and a message saying so, sends nothing and records nothing.
 */
import { describe, expect, it } from "vitest";
import { zeroAddress } from "viem";
import * as channelsRoute from "@/app/api/1/channels/route";
import * as topUpsRoute from "@/app/api/1/channels/[sender]/[open_block]/topups/route";
import { db } from "@/lib/db/client";
import { setupSiteFixture, type SiteFixture } from "../../helpers/site-fixture";
import { apiRequest, ctx } from "../api-helpers";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

const authorization = {
  salt: `0x${"11".repeat(32)}`,
  valid_after: "0",
  valid_before: "4000000000",
  signature: `0x${"22".repeat(64)}1b`,
};

describe("relay on a token without EIP-3009", () => {
  it("answers 501 to an open and a top-up, sending nothing", async () => {
    const reader = site.readers[0]!;
    const nonce = await site.publicClient.getTransactionCount({ address: site.receiver.address });
    const open = await channelsRoute.POST(
      apiRequest("/api/1/channels", {
        method: "POST",
        body: { sender: reader.address, deposit: "1000", signer: zeroAddress, ...authorization },
      }),
    );
    const topUp = await topUpsRoute.POST(
      apiRequest(`/api/1/channels/${reader.address}/5/topups`, {
        method: "POST",
        body: { amount: "1000", ...authorization },
      }),
      ctx({ sender: reader.address, open_block: "5" }),
    );
    for (const res of [open, topUp]) {
      expect(res.status).toBe(501);
      expect(await res.json()).toEqual({
        code: "not_implemented",
        error: expect.stringMatching(
          /^the site's token 0x[0-9a-fA-F]{40} does not support EIP-3009 authorizations .*open or top up the channel yourself$/,
        ),
      });
    }
    expect(await site.publicClient.getTransactionCount({ address: site.receiver.address })).toBe(
      nonce,
    );
    expect(await db().relay.count()).toBe(0);
  });
});
