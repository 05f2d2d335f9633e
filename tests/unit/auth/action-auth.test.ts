/**
 * The bearer API token is for the `/api/1` routes only: server actions (operatorAction), admin
 * pages (requireOperatorPage) and admin route handlers refuse a caller who has nothing else,
 * while the operator's session still passes and `/api/1` still accepts the token. `next/headers`
 * is replaced by the request the test builds (there is no Next request here).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { privateKeyToAccount } from "viem/accounts";
import { ANVIL_KEYS } from "../../../scripts/lib/anvil-keys";

const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  cookies: async () => {
    const cookie = request.headers.get("cookie") ?? "";
    const jar = new Map(
      cookie
        .split(";")
        .filter((p) => p.includes("="))
        .map((p) => [p.slice(0, p.indexOf("=")).trim(), p.slice(p.indexOf("=") + 1).trim()]),
    );
    return { get: (name: string) => (jar.has(name) ? { name, value: jar.get(name)! } : undefined) };
  },
}));

const { operatorAction } = await import("@/lib/auth/action");
const { requireOperatorPage } = await import("@/lib/auth/server");
const { acceptsApiToken, getCaller } = await import("@/lib/auth/caller");
const { createSessionCookie } = await import("@/lib/auth/session");
const { resetEnv } = await import("@/lib/env");

const API_TOKEN = "unit-api-token-0123456789";
const ENV = {
  API_TOKEN,
  SESSION_SECRET: "unit-session-secret-0123456789abcdef0123456789",
  RECEIVER_PRIVATE_KEY: ANVIL_KEYS[0]!,
};
const saved = Object.fromEntries(Object.keys(ENV).map((k) => [k, process.env[k]]));

beforeAll(() => {
  Object.assign(process.env, ENV);
  resetEnv();
});
afterAll(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetEnv();
});
beforeEach(() => {
  request.headers = new Headers();
});

const ran = vi.fn(() => "ran");
const action = operatorAction(z.object({}), ran);
const bearer = `Bearer ${API_TOKEN}`;

describe("server actions", () => {
  it("refuse a caller with only the API token (401), without running", async () => {
    request.headers = new Headers({ authorization: bearer });
    ran.mockClear();
    expect(await action({})).toMatchObject({ ok: false, status: 401, code: "unauthenticated" });
    expect(ran).not.toHaveBeenCalled();
  });

  it("run for the operator's session", async () => {
    const cookie = await createSessionCookie(privateKeyToAccount(ANVIL_KEYS[0]!).address);
    request.headers = new Headers({ cookie: cookie.split(";")[0]! });
    expect(await action({})).toEqual({ ok: true, value: "ran" });
  });
});

describe("admin pages", () => {
  it("send a caller with only the API token to sign-in", async () => {
    request.headers = new Headers({ authorization: bearer });
    const err = await requireOperatorPage("/admin/channels").then(
      () => undefined,
      (e: unknown) => e as { digest?: string },
    );
    expect(err?.digest).toMatch(/^NEXT_REDIRECT;.*\/admin\/sign-in\?next=%2Fadmin%2Fchannels/);
  });
});

describe("route handlers", () => {
  const withToken = (path: string) =>
    new Request(`http://127.0.0.1:3000${path}`, { headers: { authorization: bearer } });

  it("accept the API token on /api/1", async () => {
    expect(await getCaller(withToken("/api/1/stats"))).toEqual({ kind: "operator" });
    expect(await getCaller(withToken("/api/1/channels/0x1/2/payments"))).toEqual({
      kind: "operator",
    });
  });

  it.each([["/admin/authors/export"], ["/api/10/stats"], ["/api/1"], ["/api/echo/fix/a"], ["/"]])(
    "ignore it on %s",
    async (path) => {
      expect(acceptsApiToken(`http://127.0.0.1:3000${path}`)).toBe(false);
      expect(await getCaller(withToken(path))).toEqual({ kind: "anonymous" });
    },
  );
});
