/**
 * The Origin check of the state-changing `/api/1` routes (POST auth/verify, auth/logout, sync,
 * withdraw; DELETE channels/:sender/:open_block): a browser request from another site gets 403 and
 * changes nothing; same-site requests and requests without Origin (scripts, curl) pass.
 */
import { describe, expect, it } from "vitest";
import * as logoutRoute from "@/app/api/1/auth/logout/route";
import * as verifyRoute from "@/app/api/1/auth/verify/route";
import * as channelRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import * as syncRoute from "@/app/api/1/sync/route";
import * as withdrawRoute from "@/app/api/1/withdraw/route";
import { allowedOrigins } from "@/lib/auth/origin";
import { resetChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { API_TOKEN, setupSiteFixture, type SiteFixture } from "../helpers/site-fixture";
import {
  apiRequest,
  ctx,
  insertChannel,
  ORIGIN,
  proofFor,
  siweMessage,
  signIn,
  type RequestOptions,
} from "./api-helpers";

let site: SiteFixture;
setupSiteFixture((s) => {
  site = s;
});

type Route = (opts: RequestOptions) => Promise<Response>;

/** Every state-changing route, with a request that succeeds when the origin is acceptable. */
async function routes(): Promise<Array<[string, Route]>> {
  const reader = site.readers[0]!;
  const chainId = site.deployment.chainId;
  const cookie = await signIn(reader, chainId);
  const message = await siweMessage(reader, chainId);
  const signature = await reader.signMessage({ message });
  const row = await insertChannel(site, {
    reader,
    openBlock: 100 + (await db().channel.count()),
    balance: 5n,
  });
  const closeBody = {
    balance: "5",
    balance_signature: await proofFor(site, { reader, openBlock: row.openBlock }, 5n),
  };
  const post = (path: string, o: RequestOptions, extra: RequestOptions = {}) =>
    apiRequest(path, { ...extra, ...o, method: "POST", headers: { ...o.headers } });
  return [
    [
      "POST /api/1/auth/verify",
      (o) => verifyRoute.POST(post("/api/1/auth/verify", o, { body: { message, signature } })),
    ],
    ["POST /api/1/auth/logout", (o) => logoutRoute.POST(post("/api/1/auth/logout", o))],
    ["POST /api/1/sync", (o) => syncRoute.POST(post("/api/1/sync", o, { bearer: API_TOKEN }))],
    [
      "POST /api/1/withdraw",
      // A minimum no channel reaches: the call succeeds without sending transactions.
      (o) =>
        withdrawRoute.POST(
          post("/api/1/withdraw", o, {
            bearer: API_TOKEN,
            body: { minimum: (2n ** 192n - 1n).toString() },
          }),
        ),
    ],
    [
      "DELETE /api/1/channels/:sender/:open_block",
      (o) =>
        channelRoute.DELETE(
          apiRequest(`/api/1/channels/${reader.address}/${row.openBlock}`, {
            ...o,
            method: "DELETE",
            cookie,
            body: closeBody,
          }),
          ctx({ sender: reader.address, open_block: String(row.openBlock) }),
        ),
    ],
  ];
}

describe("Origin check", () => {
  it.each([
    ["another site", "https://evil.example"],
    ["another port of the site's host", "http://127.0.0.1:3001"],
    ["the site's host over https", "https://127.0.0.1:3000"],
    ["an opaque origin", "null"],
  ])("answers 403 JSON to %s and changes nothing", async (_name, origin) => {
    for (const [name, call] of await routes()) {
      const res = await call({ headers: { origin } });
      expect(res.status, name).toBe(403);
      expect(res.headers.get("content-type"), name).toMatch(/^application\/json/);
      expect((await res.json()).error, name).toBe(
        `forbidden: Origin ${origin} is not this site's origin (${ORIGIN})`,
      );
      expect(res.headers.get("set-cookie"), name).toBeNull();
    }
    // The refused close did not stop the channel's payments.
    expect(await db().channel.count({ where: { closeSigned: true } })).toBe(0);
  });

  it("lets the same requests through from the site's origin, and without Origin", async () => {
    for (const headers of [{ origin: ORIGIN }, {}] as Array<Record<string, string>>) {
      for (const [name, call] of await routes()) {
        const res = await call({ headers });
        expect(res.status, `${name} ${JSON.stringify(headers)}`).toBe(200);
      }
    }
  });

  it("accepts the origins of SIWE_ALLOWED_DOMAINS", async () => {
    process.env.SIWE_ALLOWED_DOMAINS = "localhost:3000";
    resetEnv();
    resetChainConfig();
    try {
      expect(allowedOrigins()).toEqual([ORIGIN, "http://localhost:3000", "https://localhost:3000"]);
      for (const origin of ["http://localhost:3000", "https://localhost:3000"]) {
        const res = await logoutRoute.POST(
          apiRequest("/api/1/auth/logout", { method: "POST", headers: { origin } }),
        );
        expect(res.status, origin).toBe(200);
      }
      const other = await logoutRoute.POST(
        apiRequest("/api/1/auth/logout", {
          method: "POST",
          headers: { origin: "http://localhost:3001" },
        }),
      );
      expect(other.status).toBe(403);
    } finally {
      delete process.env.SIWE_ALLOWED_DOMAINS;
      resetEnv();
      resetChainConfig();
    }
  });
});
