/**
 * Operator authentication of `/api/1`: SIWE sign-in through the real routes (nonce, verify, me,
 * logout) and its hardening (pinned domain and URI, bounded Issued At, stateless nonces, no RPC
 * call for a wrong EOA signature), session cookies, the bearer token, and 401/403 on every
 * operator route.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as logoutRoute from "@/app/api/1/auth/logout/route";
import * as meRoute from "@/app/api/1/auth/me/route";
import * as channelRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import * as senderRoute from "@/app/api/1/channels/[sender]/route";
import * as channelsRoute from "@/app/api/1/channels/route";
import * as statsRoute from "@/app/api/1/stats/route";
import { getCaller } from "@/lib/auth/caller";
import { createSessionCookie, SESSION_COOKIE, SESSION_TTL_SECONDS } from "@/lib/auth/session";
import { issueNonce, NONCE_TTL_MS, nonceExpiry } from "@/lib/auth/siwe";
import { chainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { startSiteFixture, type SiteFixture, withEnv } from "../helpers/site-fixture";
import {
  apiRequest,
  cookieOf,
  ctx,
  getNonce,
  insertChannel,
  postVerify,
  siweMessage,
  signIn,
  type RequestOptions,
} from "./api-helpers";

let site: SiteFixture;
let chainId: number;
const API_TOKEN = "test-api-token-0123456789";

beforeAll(async () => {
  site = await startSiteFixture();
  chainId = site.deployment.chainId;
  await insertChannel(site, { reader: site.readers[0]!, openBlock: 100 });
  await insertChannel(site, { reader: site.readers[1]!, openBlock: 101 });
});
afterAll(async () => {
  await site?.stop();
});

/** Every operator-only route, called with the given credentials; `readers[0]` is never the caller's own sender. */
function operatorRoutes(): Array<[string, (opts: RequestOptions) => Promise<Response>]> {
  const other = site.readers[0]!.address;
  return [
    ["GET /api/1/stats", (o) => statsRoute.GET(apiRequest("/api/1/stats", o))],
    ["GET /api/1/channels", (o) => channelsRoute.GET(apiRequest("/api/1/channels?status=all", o))],
    [
      "GET /api/1/channels/:sender",
      (o) => senderRoute.GET(apiRequest(`/api/1/channels/${other}`, o), ctx({ sender: other })),
    ],
    [
      "GET /api/1/channels/:sender/:open_block",
      (o) =>
        channelRoute.GET(
          apiRequest(`/api/1/channels/${other}/100`, o),
          ctx({ sender: other, open_block: "100" }),
        ),
    ],
  ];
}

describe("SIWE sign-in", () => {
  it("issues distinct nonces that carry their 10-minute expiry", async () => {
    const [a, b] = [await getNonce(), await getNonce()];
    expect(a).not.toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    const expiry = nonceExpiry(a)!.getTime();
    expect(expiry).toBeGreaterThan(Date.now() + NONCE_TTL_MS - 2000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + NONCE_TTL_MS + 1000);
  });

  it("signs in the receiver as operator with an HttpOnly SameSite=Lax 7-day cookie", async () => {
    const message = await siweMessage(site.receiver, chainId);
    const res = await postVerify(message, await site.receiver.signMessage({ message }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ address: site.receiver.address, operator: true });
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(new RegExp(`^${SESSION_COOKIE}=Fe26\\.2\\*`));
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Lax");
    expect(setCookie).toContain("Path=/");
    expect(setCookie).toContain(`Max-Age=${SESSION_TTL_SECONDS}`);
    expect(setCookie).not.toContain("Secure"); // SITE_URL is http in the fixture

    const cookie = cookieOf(res);
    const me = await meRoute.GET(apiRequest("/api/1/auth/me", { cookie }));
    expect(await me.json()).toEqual({
      kind: "operator",
      address: site.receiver.address,
      operator: true,
    });
    for (const [name, call] of operatorRoutes()) {
      expect((await call({ cookie })).status, name).toBe(200);
    }
  });

  it("signs in a reader as a user, who may read only its own channels", async () => {
    const reader = site.readers[1]!;
    const message = await siweMessage(reader, chainId);
    const res = await postVerify(message, await reader.signMessage({ message }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ address: reader.address, operator: false });
    const cookie = cookieOf(res);
    expect(await (await meRoute.GET(apiRequest("/api/1/auth/me", { cookie }))).json()).toEqual({
      kind: "user",
      address: reader.address,
      operator: false,
    });
    const own = await senderRoute.GET(
      apiRequest(`/api/1/channels/${reader.address}`, { cookie }),
      ctx({ sender: reader.address }),
    );
    expect(own.status).toBe(200);
    expect((await own.json()).map((c: { open_block: number }) => c.open_block)).toEqual([101]);
  });

  it("rejects a replayed nonce", async () => {
    const reader = site.readers[2]!;
    const message = await siweMessage(reader, chainId);
    const signature = await reader.signMessage({ message });
    expect((await postVerify(message, signature)).status).toBe(200);
    const replay = await postVerify(message, signature);
    expect(replay.status).toBe(401);
    expect((await replay.json()).error).toMatch(/nonce/);
  });

  it("consumes a nonce once under concurrent use", async () => {
    const reader = site.readers[2]!;
    const message = await siweMessage(reader, chainId);
    const signature = await reader.signMessage({ message });
    const results = await Promise.all([
      postVerify(message, signature),
      postVerify(message, signature),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it.each([
    ["a wrong domain", { domain: "evil.example" }, /domain/],
    ["an expired message", { expirationTime: new Date(Date.now() - 60_000) }, /expired/],
    ["a message not valid yet", { notBefore: new Date(Date.now() + 60 * 60_000) }, /not valid yet/],
    ["another chain", { chainId: 1 }, /chain ID/],
    ["an unknown nonce", { nonce: "madeUpNonce12345" }, /nonce/],
  ] as const)("answers 401 for %s", async (_name, overrides, error) => {
    const reader = site.readers[3]!;
    const message = await siweMessage(reader, chainId, overrides);
    const res = await postVerify(message, await reader.signMessage({ message }));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(error);
  });

  it("answers 401 for an expired nonce", async () => {
    const { nonce } = issueNonce(new Date(Date.now() - NONCE_TTL_MS - 1000));
    const reader = site.readers[3]!;
    const message = await siweMessage(reader, chainId, { nonce });
    const res = await postVerify(message, await reader.signMessage({ message }));
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/expired nonce/);
  });

  it("answers 401 for a signature by another account, and keeps the nonce usable", async () => {
    const [reader, impostor] = [site.readers[3]!, site.readers[4]!];
    const message = await siweMessage(reader, chainId);
    const bad = await postVerify(message, await impostor.signMessage({ message }));
    expect(bad.status).toBe(401);
    expect((await bad.json()).error).toMatch(/signature/);
    expect((await postVerify(message, await reader.signMessage({ message }))).status).toBe(200);
  });

  it("rejects a message whose address was changed after signing", async () => {
    const [reader, victim] = [site.readers[3]!, site.receiver];
    const message = await siweMessage(reader, chainId);
    const signature = await reader.signMessage({ message });
    const res = await postVerify(message.replace(reader.address, victim.address), signature);
    expect(res.status).toBe(401);
  });

  it.each([
    ["signature", { message: "x" }],
    ["signature", { message: "x", signature: "nothex" }],
    ["message", { signature: "0x00" }],
  ])("answers 400 naming %s for a malformed body", async (field, body) => {
    const { POST } = await import("@/app/api/1/auth/verify/route");
    const res = await POST(apiRequest("/api/1/auth/verify", { method: "POST", body }));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(new RegExp(`^${field}`));
  });

  it("answers 401 for a message that is not EIP-4361", async () => {
    const res = await postVerify("hello", await site.readers[3]!.signMessage({ message: "hello" }));
    expect(res.status).toBe(401);
  });

  it("treats ADMIN_ADDRESSES as operators", async () => {
    const admin = site.readers[5]!;
    await withEnv({ ADMIN_ADDRESSES: admin.address.toLowerCase() }, async () => {
      const cookie = await signIn(admin, chainId);
      expect((await statsRoute.GET(apiRequest("/api/1/stats", { cookie }))).status).toBe(200);
    });
    // Without the setting the same session is a plain user again.
    const cookie = await signIn(admin, chainId);
    expect((await statsRoute.GET(apiRequest("/api/1/stats", { cookie }))).status).toBe(403);
  });

  it("sets a Secure cookie when SITE_URL is https, and checks the domain against it", async () => {
    await withEnv({ SITE_URL: "https://news.example" }, async () => {
      const reader = site.readers[6]!;
      const message = await siweMessage(reader, chainId, {
        domain: "news.example",
        uri: "https://news.example",
      });
      const res = await postVerify(message, await reader.signMessage({ message }), {
        host: "news.example",
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("set-cookie")).toContain("; Secure");
    });
  });

  it("accepts only SITE_URL's host in production, whatever the Host header says", async () => {
    await withEnv({ NODE_ENV: "production", SITE_URL: "https://news.example" }, async () => {
      const reader = site.readers[6]!;
      const message = await siweMessage(reader, chainId, { domain: "evil.example" });
      const res = await postVerify(message, await reader.signMessage({ message }), {
        host: "evil.example",
      });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toMatch(/domain evil\.example is not news\.example$/);
    });
  });

  it("answers 503 with a clear message when SESSION_SECRET is not set", async () => {
    const message = await siweMessage(site.receiver, chainId);
    const signature = await site.receiver.signMessage({ message });
    await withEnv({ SESSION_SECRET: undefined }, async () => {
      const res = await postVerify(message, signature);
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/SESSION_SECRET/);
    });
    // The nonce was not spent.
    expect((await postVerify(message, signature)).status).toBe(200);
  });

  it("logout clears the cookie", async () => {
    const res = await logoutRoute.POST(apiRequest("/api/1/auth/logout", { method: "POST" }));
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`^${SESSION_COOKIE}=;.*Max-Age=0`));
  });
});

describe("sessions and the bearer token", () => {
  it("ignores a tampered or expired session cookie", async () => {
    const cookie = await signIn(site.receiver, chainId);
    const tampered = cookie.slice(0, -4) + (cookie.endsWith("AAAA") ? "BBBB" : "AAAA");
    expect(await getCaller(apiRequest("/", { cookie: tampered }))).toEqual({ kind: "anonymous" });

    const old = await createSessionCookie(
      site.receiver.address,
      Date.now() - (SESSION_TTL_SECONDS + 60) * 1000,
    );
    expect(await getCaller(apiRequest("/", { cookie: old.split(";")[0] }))).toEqual({
      kind: "anonymous",
    });
    expect(
      (await statsRoute.GET(apiRequest("/api/1/stats", { cookie: old.split(";")[0] }))).status,
    ).toBe(401);
  });

  it("ignores a session sealed with another secret", async () => {
    const cookie = await signIn(site.receiver, chainId);
    await withEnv({ SESSION_SECRET: "another-secret-0123456789abcdef0123456789" }, async () => {
      expect(await getCaller(apiRequest("/", { cookie }))).toEqual({ kind: "anonymous" });
    });
  });

  it("accepts the bearer API token on every operator route", async () => {
    for (const [name, call] of operatorRoutes()) {
      expect((await call({ bearer: API_TOKEN })).status, name).toBe(200);
    }
    const me = await meRoute.GET(apiRequest("/api/1/auth/me", { bearer: API_TOKEN }));
    expect(await me.json()).toEqual({ kind: "operator", address: null, operator: true });
  });

  it("answers 401 on every operator route without credentials or with a wrong token", async () => {
    for (const [name, call] of operatorRoutes()) {
      for (const opts of [
        {},
        { bearer: "wrong-token-0123456789" },
        { bearer: API_TOKEN.slice(0, -1) },
      ]) {
        const res = await call(opts);
        expect(res.status, name).toBe(401);
        expect((await res.json()).error, name).toMatch(/authentication required/);
      }
    }
    expect(await (await meRoute.GET(apiRequest("/api/1/auth/me"))).json()).toEqual({
      kind: "anonymous",
      address: null,
      operator: false,
    });
  });

  it("answers 403 on every operator route to a signed-in non-operator", async () => {
    const cookie = await signIn(site.readers[1]!, chainId);
    for (const [name, call] of operatorRoutes()) {
      const res = await call({ cookie });
      expect(res.status, name).toBe(403);
      expect((await res.json()).error, name).toMatch(/forbidden/);
    }
  });

  it("ignores API_TOKEN-less bearer headers when no token is configured", async () => {
    await withEnv({ API_TOKEN: undefined }, async () => {
      expect((await statsRoute.GET(apiRequest("/api/1/stats", { bearer: API_TOKEN }))).status).toBe(
        401,
      );
    });
  });
});

/** A JSON-RPC stand-in that forwards to anvil and records every method it is asked for. */
async function startCountingRpc(target: string) {
  const methods: string[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString();
    for (const call of [JSON.parse(body)].flat()) methods.push((call as { method: string }).method);
    const upstream = await fetch(target, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    res.writeHead(upstream.status, { "content-type": "application/json" });
    res.end(await upstream.text());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("SIWE hardening", () => {
  const reader = () => site.readers[7]!;
  const attempt = async (overrides: Parameters<typeof siweMessage>[2], headers = {}) => {
    const message = await siweMessage(reader(), chainId, overrides);
    return postVerify(message, await reader().signMessage({ message }), headers);
  };

  it("trusts no Host header outside production: only SITE_URL's host is the domain", async () => {
    const res = await attempt(
      { domain: "evil.example", uri: "http://evil.example" },
      { host: "evil.example" },
    );
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/domain evil\.example is not 127\.0\.0\.1:3000$/);
  });

  it("accepts the SIWE_ALLOWED_DOMAINS entries as domain and URI", async () => {
    await withEnv({ SIWE_ALLOWED_DOMAINS: "localhost:3000, dev.example" }, async () => {
      for (const [domain, uri] of [
        ["localhost:3000", "http://localhost:3000/login"],
        ["dev.example", "https://dev.example"],
        ["127.0.0.1:3000", "http://localhost:3000"],
      ]) {
        const res = await attempt({ domain, uri });
        expect(res.status, domain).toBe(200);
      }
      const other = await attempt({ domain: "localhost:3001", uri: "http://localhost:3001" });
      expect((await other.json()).error).toMatch(
        /domain localhost:3001 is not 127\.0\.0\.1:3000 or localhost:3000 or dev\.example$/,
      );
    });
  });

  it.each([
    ["another site", "https://evil.example/login"],
    ["another port", "http://127.0.0.1:3001"],
    ["another scheme", "https://127.0.0.1:3000"],
    ["a non-http URI", "did:pkh:eip155:1:0x0000000000000000000000000000000000000000"],
  ])("answers 401 for a URI on %s", async (_name, uri) => {
    const res = await attempt({ uri });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/^sign-in failed: URI .* is not on this site$/);
  });

  it("accepts a URI anywhere on SITE_URL's origin", async () => {
    expect((await attempt({ uri: "http://127.0.0.1:3000/admin?x=1" })).status).toBe(200);
  });

  it("answers 401 for a scheme other than SITE_URL's", async () => {
    const res = await attempt({ scheme: "https" });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/scheme https is not http/);
    expect((await attempt({ scheme: "http" })).status).toBe(200);
  });

  it.each([
    ["in the future", 5 * 60_000, /Issued At is in the future/],
    ["older than the nonce lifetime", -(NONCE_TTL_MS + 60_000), /older than the nonce lifetime/],
  ])("answers 401 for an Issued At %s", async (_name, offset, error) => {
    const res = await attempt({ issuedAt: new Date(Date.now() + offset) });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(error);
  });

  it("tolerates a little clock skew and an Issued At a few minutes old", async () => {
    expect((await attempt({ issuedAt: new Date(Date.now() + 30_000) })).status).toBe(200);
    expect((await attempt({ issuedAt: new Date(Date.now() - 9 * 60_000) })).status).toBe(200);
  });

  it("answers 401 for a message without Issued At", async () => {
    const message = (await siweMessage(reader(), chainId)).replace(/\nIssued At: [^\n]*/, "");
    const res = await postVerify(message, await reader().signMessage({ message }));
    expect(res.status).toBe(401);
  });

  it("answers 401 for a nonce the site did not issue", async () => {
    const forged = "ab".repeat(32);
    const res = await attempt({ nonce: forged });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatch(/unknown or expired nonce/);
    const other = await withEnv(
      { SESSION_SECRET: "another-secret-0123456789abcdef0123456789" },
      async () => issueNonce().nonce,
    );
    expect((await attempt({ nonce: other })).status).toBe(401);
  });

  it("stores nothing when nonces are issued: 1,100 requests add no row", async () => {
    const before = await db().authNonce.count();
    const nonces = new Set<string>();
    for (let i = 0; i < 1100; i++) nonces.add(await getNonce());
    expect(nonces.size).toBe(1100);
    expect(await db().authNonce.count()).toBe(before);
  });

  it("keeps a used nonce until it expires, and purges expired ones", async () => {
    await db().authNonce.create({
      data: { kind: "siwe", nonce: "stale", expiresAt: new Date(Date.now() - 1000) },
    });
    const message = await siweMessage(reader(), chainId);
    const nonce = /Nonce: (\w+)/.exec(message)![1]!;
    expect((await postVerify(message, await reader().signMessage({ message }))).status).toBe(200);
    const rows = await db().authNonce.findMany({ where: { nonce: { in: ["stale", nonce] } } });
    expect(rows.map((r) => r.nonce)).toEqual([nonce]);
    expect(rows[0]!.expiresAt.getTime()).toBe(nonceExpiry(nonce)!.getTime());
  });

  it("answers 503 for a nonce while sign-in is disabled", async () => {
    await withEnv({ SESSION_SECRET: undefined }, async () => {
      const { GET } = await import("@/app/api/1/auth/nonce/route");
      const res = await GET(new Request("http://127.0.0.1:3000/api/1/auth/nonce"));
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/SESSION_SECRET/);
    });
  });

  it("checks a 65-byte signature locally: a wrong one costs no RPC call", async () => {
    const rpc = await startCountingRpc(site.rpcUrl);
    try {
      await withEnv({ RPC_URL: rpc.url }, async () => {
        await chainConfig(); // start-up checks of the chain config, through the stand-in
        expect(rpc.methods.length).toBeGreaterThan(0);
        const impostor = site.readers[4]!;
        const message = await siweMessage(reader(), chainId);
        rpc.methods.length = 0;
        const wrong = await postVerify(message, await impostor.signMessage({ message }));
        expect(wrong.status).toBe(401);
        const garbage = await postVerify(message, `0x${"ff".repeat(65)}`);
        expect(garbage.status).toBe(401);
        expect(rpc.methods).toEqual([]);

        // Any other signature may be a contract wallet's (ERC-1271, ERC-6492): the chain decides.
        const contractSig = await postVerify(message, `0x${"11".repeat(100)}`);
        expect(contractSig.status).toBe(401);
        expect(rpc.methods).toContain("eth_call");

        const ok = await postVerify(message, await reader().signMessage({ message }));
        expect(ok.status).toBe(200);
      });
    } finally {
      await rpc.close();
    }
  });
});
