/**
 * Operator authentication of `/api/1`: SIWE sign-in through the real routes (nonce, verify, me,
 * logout), session cookies, the bearer token, and 401/403 on every operator route.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as logoutRoute from "@/app/api/1/auth/logout/route";
import * as meRoute from "@/app/api/1/auth/me/route";
import * as channelRoute from "@/app/api/1/channels/[sender]/[open_block]/route";
import * as senderRoute from "@/app/api/1/channels/[sender]/route";
import * as channelsRoute from "@/app/api/1/channels/route";
import * as statsRoute from "@/app/api/1/stats/route";
import { getCaller } from "@/lib/auth/caller";
import { createSessionCookie, SESSION_COOKIE, SESSION_TTL_SECONDS } from "@/lib/auth/session";
import { resetChainConfig } from "@/lib/chain/config";
import { db } from "@/lib/db/client";
import { resetEnv } from "@/lib/env";
import { startSiteFixture, type SiteFixture } from "../helpers/site-fixture";
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

/** Runs `fn` with some env variables changed, then restores them. */
async function withEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
    resetEnv();
    resetChainConfig();
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

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
  it("issues distinct nonces stored with an expiry", async () => {
    const [a, b] = [await getNonce(), await getNonce()];
    expect(a).not.toBe(b);
    const row = await db().authNonce.findUnique({ where: { nonce: a } });
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now());
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
    const nonce = await getNonce();
    await db().authNonce.update({
      where: { nonce },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const reader = site.readers[3]!;
    const message = await siweMessage(reader, chainId, { nonce });
    const res = await postVerify(message, await reader.signMessage({ message }));
    expect(res.status).toBe(401);
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
    const res = await logoutRoute.POST();
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
