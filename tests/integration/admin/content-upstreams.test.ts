/**
 * Paywalled upstreams configured from the admin pages (lib/admin/upstreams.ts) through the real
 * proxy and paid route, with a real HTTP upstream: sold at the row's price, longest prefix first,
 * edits seen within a second without a restart, and no way to reach an unconfigured URL or to take
 * one of the site's own paths. The upstream here listens on 127.0.0.1, so the site runs with
 * UPSTREAM_ALLOW_PRIVATE=1; without it loopback, link-local and private upstreams are refused when
 * saved and again when fetched.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as pricesRoute } from "@/app/api/1/prices/route";
import { GET as upstreamRoute } from "@/app/upstream-route/[id]/[[...path]]/route";
import {
  createUpstream,
  deleteUpstream,
  listUpstreams,
  updateUpstream,
} from "@/lib/admin/upstreams";
import { db } from "@/lib/db/client";
import { BadRequestError } from "@/lib/errors";
import { proxy } from "@/proxy";
import { BASE, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { setupSiteFixture, TOKEN, withEnv, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
let reader: SiteFixture["readers"][number];
let openBlock: number;
let balance = 0n;
let server: Server;
let origin: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? "");
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`upstream ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server?.close());

setupSiteFixture(
  async (site) => {
    f = site;
    reader = f.readers[2]!;
    openBlock = await f.openChannel(reader, 100n * TOKEN);
    await indexChannel(f, reader, openBlock, 100n * TOKEN);
  },
  { env: { UPSTREAM_ALLOW_PRIVATE: "1" } },
);

/** A request as the site answers it: the proxy, then the route it rewrote to (if any). */
async function site(pathAndQuery: string, headers: Record<string, string> = {}) {
  const res = await proxy(new NextRequest(`${BASE}${pathAndQuery}`, { headers }));
  const rewrite = res.headers.get("x-middleware-rewrite");
  if (!rewrite) return { routed: false as const, res };
  const url = new URL(rewrite);
  const [, base, id, ...rest] = url.pathname.split("/");
  expect(base).toBe("upstream-route");
  return { routed: true as const, res: await internal(url, id!, rest, headers) };
}

/** A request straight to the internal route. */
function internal(url: URL, id: string, rest: string[], headers: Record<string, string> = {}) {
  const params = { id, path: rest.length ? rest.map(decodeURIComponent) : undefined };
  return upstreamRoute(new Request(url, { headers }), { params: Promise.resolve(params) });
}

async function pay(pathAndQuery: string, price: bigint) {
  const next = balance + price;
  const sig = await proof(f, reader, reader.address, openBlock, next);
  const { res } = await site(pathAndQuery, paymentHeaders(reader.address, openBlock, next, sig));
  if (res.status === 200) balance = next;
  return res;
}

async function refusal(p: Promise<unknown>): Promise<[number, string]> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadRequestError);
  return [(err as BadRequestError).status, (err as Error).message];
}

describe("a configured upstream", () => {
  beforeAll(async () => {
    await createUpstream({ prefix: "/docs", url: `${origin}/base`, price: "0.01" });
  });

  it("answers 402 at its price and, paid, the upstream's body for the path and query", async () => {
    const unpaid = await site("/docs/guide/intro?x=1");
    expect(unpaid.routed).toBe(true);
    expect(unpaid.res.status).toBe(402);
    expect(unpaid.res.headers.get("RDN-Price")).toBe((TOKEN / 100n).toString());
    expect(hits).toEqual([]);
    const paid = await pay("/docs/guide/intro?x=1", TOKEN / 100n);
    expect(paid.status).toBe(200);
    expect(await paid.text()).toBe("upstream /base/guide/intro?x=1");
    expect(paid.headers.get("content-security-policy")).toContain("sandbox");
    // The prefix itself is the base URL.
    expect(await (await pay("/docs", TOKEN / 100n)).text()).toBe("upstream /base");
  });

  it("the longest prefix wins; pages outside every prefix are not touched", async () => {
    await createUpstream({ prefix: "/docs/v2", url: `${origin}/two`, price: "0.02" });
    const unpaid = await site("/docs/v2/a");
    expect(unpaid.res.headers.get("RDN-Price")).toBe((TOKEN / 50n).toString());
    expect(await (await pay("/docs/v2/a", TOKEN / 50n)).text()).toBe("upstream /two/a");
    expect((await site("/docs-other/a")).routed).toBe(false);
    expect((await site("/wallet")).routed).toBe(false);
  });

  it("edits apply without a restart: at once here, within a second from another process", async () => {
    await updateUpstream("/docs", { url: `${origin}/moved`, price: "0.03" });
    const moved = await site("/docs/x");
    expect(moved.res.headers.get("RDN-Price")).toBe(((3n * TOKEN) / 100n).toString());
    // Another process (a second server) writes the table, past this process's copy.
    await db().upstreamRoute.update({ where: { prefix: "/docs" }, data: { price: "4" } });
    const deadline = Date.now() + 1300;
    let price: string | null = null;
    while (Date.now() < deadline && price !== "4") {
      price = (await site("/docs/x")).res.headers.get("RDN-Price");
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(price).toBe("4");
    expect(await (await pay("/docs/x", 4n)).text()).toBe("upstream /moved/x");
  });

  it("is listed for sale, and after deletion its paths are no longer routed", async () => {
    const body = (await (await pricesRoute()).json()) as { resources: { path: string }[] };
    expect(body.resources.map((r) => r.path)).toContain("/docs/v2/{path}");
    const v2 = (await listUpstreams()).find((u) => u.prefix === "/docs/v2")!;
    await deleteUpstream("/docs/v2");
    const after = await site("/docs/v2/a");
    // Falls under /docs now.
    expect(after.res.headers.get("RDN-Price")).toBe("4");
    // The deleted route's id reaches nothing any more.
    const direct = await internal(new URL(`${BASE}/upstream-route/${v2.id}/a`), String(v2.id), [
      "a",
    ]);
    expect(direct.status).toBe(404);
    expect(await refusal(deleteUpstream("/docs/v2"))).toEqual([
      404,
      "prefix: no upstream at /docs/v2",
    ]);
  });

  it("a direct request to the internal route reaches only a configured URL", async () => {
    const docs = (await listUpstreams()).find((u) => u.prefix === "/docs")!;
    const url = (p: string) => new URL(`${BASE}/upstream-route/${p}`);
    expect((await internal(url("999/a"), "999", ["a"])).status).toBe(404);
    expect((await internal(url("x/a"), "x", ["a"])).status).toBe(404);
    expect((await internal(url(`${docs.id}/..`), String(docs.id), [".."])).status).toBe(404);
    const hitsBefore = hits.length;
    const ok = await internal(url(`${docs.id}/a`), String(docs.id), ["a"]);
    expect(ok.status).toBe(402);
    expect(hits.length).toBe(hitsBefore);
    // Through the proxy the internal path is served as it is (never rewritten elsewhere).
    const res = await proxy(new NextRequest(`${BASE}/upstream-route/${docs.id}/a`));
    expect(res.headers.get("x-middleware-rewrite")).toBeNull();
    expect(res.headers.get("x-middleware-next")).toBe("1");
  });
});

describe("refusals", () => {
  const ok = { url: "http://127.0.0.1:9/x", price: "1" };
  it.each([
    ["/api", 409, /^prefix: \/api collides with the site's own paths$/],
    ["/admin/tools", 409, /collides/],
    ["/articles", 409, /collides/],
    ["/media", 409, /collides/],
    ["/upstream", 409, /collides/],
    ["/upstream-route", 409, /collides/],
    ["/paywall", 409, /collides/],
    ["/wallet", 409, /collides/],
    ["/_next", 400, /^prefix: must be a path/],
    ["/llms.txt", 409, /collides/],
    ["/site.css", 409, /collides/],
    ["/favicon.ico", 409, /collides/],
    ["/docs", 409, /^prefix: \/docs is taken$/],
    ["/Docs", 400, /^prefix: must be a path/],
    ["docs", 400, /^prefix: must be a path/],
    ["/docs/", 400, /^prefix: must be a path/],
    ["/", 400, /^prefix: must be a path/],
  ])("prefix %s is refused (%i)", async (prefix, status, message) => {
    const [s, m] = await refusal(createUpstream({ prefix, ...ok }));
    expect(s).toBe(status);
    expect(m).toMatch(message);
  });

  it.each([
    ["ftp://example.com/x", /^url: must be an http\(s\) URL/],
    ["http://example.com/x?a=1", /^url: /],
    ["http://user:pw@example.com/", /^url: /],
    ["not a url", /^url: /],
  ])("url %s is refused", async (url, message) => {
    const [s, m] = await refusal(createUpstream({ prefix: "/fresh", url, price: "1" }));
    expect(s).toBe(400);
    expect(m).toMatch(message);
  });

  it("a bad price is refused", async () => {
    expect(await refusal(createUpstream({ prefix: "/fresh", url: ok.url, price: "0" }))).toEqual([
      400,
      "price: must be more than 0",
    ]);
  });
});

describe("without UPSTREAM_ALLOW_PRIVATE", () => {
  const strict = <T>(fn: () => Promise<T>) => withEnv({ UPSTREAM_ALLOW_PRIVATE: undefined }, fn);
  const port = () => new URL(origin).port;

  it.each([
    ["loopback", () => `${origin}/x`],
    ["a name that resolves to loopback", () => `http://localhost:${port()}/x`],
    ["IPv6 loopback", () => `http://[::1]:${port()}/x`],
    ["IPv4-mapped loopback", () => `http://[::ffff:127.0.0.1]:${port()}/x`],
    ["link-local (cloud metadata)", () => "http://169.254.169.254/latest/meta-data"],
    ["IPv6 link-local", () => "http://[fe80::1]/"],
    ["10/8", () => "http://10.1.2.3/"],
    ["172.16/12", () => "http://172.20.0.1/"],
    ["192.168/16", () => "http://192.168.0.10/"],
    ["100.64/10", () => "http://100.64.0.1/"],
    ["0.0.0.0/8", () => "http://0.0.0.0:8080/"],
    ["IPv6 unique local", () => "http://[fd00::1]/"],
  ])("a %s upstream is refused when saved (400 naming url)", async (_name, url) => {
    const [status, message] = await strict(() =>
      refusal(createUpstream({ prefix: "/private", url: url(), price: "1" })),
    );
    expect(status).toBe(400);
    expect(message).toMatch(/^url: \S+ resolves to \S+, a loopback, link-local or private address/);
    expect(message).toContain("UPSTREAM_ALLOW_PRIVATE");
    expect((await listUpstreams()).map((u) => u.prefix)).not.toContain("/private");
  });

  it("an edit to a private URL is refused too, and the upstream keeps its URL", async () => {
    const before = (await listUpstreams()).find((u) => u.prefix === "/docs")!;
    const [status, message] = await strict(() =>
      refusal(updateUpstream("/docs", { url: `http://localhost:${port()}/x`, price: "1" })),
    );
    expect([status, message]).toEqual([
      400,
      expect.stringMatching(/^url: localhost resolves to 127\.0\.0\.1/),
    ]);
    expect((await listUpstreams()).find((u) => u.prefix === "/docs")!.url).toBe(before.url);
  });

  it("a host that does not resolve is refused when saved", async () => {
    const [status, message] = await strict(() =>
      refusal(
        createUpstream({ prefix: "/nowhere", url: "http://no-such-host.invalid/", price: "1" }),
      ),
    );
    expect([status, message]).toEqual([
      400,
      "url: no-such-host.invalid does not resolve to an address",
    ]);
  });

  it("a saved upstream that resolves to loopback is refused again when fetched (502, no request)", async () => {
    // Saved while allowed (or its name's DNS answer changed since): each fetch checks again.
    await createUpstream({
      prefix: "/local",
      url: `http://localhost:${port()}/loc`,
      price: "0.01",
    });
    const hitsBefore = hits.length;
    const next = balance + TOKEN / 100n;
    const sig = await proof(f, reader, reader.address, openBlock, next);
    const { routed, res } = await strict(() =>
      site("/local/secret", {
        accept: "application/json",
        ...paymentHeaders(reader.address, openBlock, next, sig),
      }),
    );
    expect(routed).toBe(true);
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string };
    expect(body.error).toBe("the upstream's address is not allowed");
    expect(JSON.stringify(body)).not.toContain(port());
    expect(hits.length).toBe(hitsBefore);
    balance = next;
    // With the setting the same upstream is fetched (a retry of the paid request is free).
    const retry = await site("/local/secret", paymentHeaders(reader.address, openBlock, next, sig));
    expect(retry.res.status).toBe(200);
    expect(await retry.res.text()).toBe("upstream /loc/secret");
  });
});
