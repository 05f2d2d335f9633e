import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as dyn } from "@/app/api/echo/dyn/[param]/route";
import { GET as fix } from "@/app/api/echo/fix/[param]/route";
import { articleRoute as article } from "../../helpers/article-route";
import { GET as media } from "@/app/media/[...path]/route";
import { GET as upstream } from "@/app/upstream/[...path]/route";
import { resetChainConfig } from "@/lib/chain/config";
import { resetEnv } from "@/lib/env";
import { seed } from "@/prisma/seed";
import { call, indexChannel, paymentHeaders, proof } from "../../helpers/paywall";
import { CENT, startSiteFixture, TOKEN, type SiteFixture } from "../../helpers/site-fixture";

let f: SiteFixture;
let upstreamServer: Server;
let reader: SiteFixture["readers"][number];
let openBlock: number;
let balance = 0n;

/** Pays `price` more on the shared channel for a request to `handler`. */
async function payFor<P>(
  handler: Parameters<typeof call<P>>[0],
  path: string,
  params: P,
  price: bigint,
  extra: Record<string, string> = {},
) {
  const next = balance + price;
  const res = await call(handler, path, params, {
    ...paymentHeaders(
      reader.address,
      openBlock,
      next,
      await proof(f, reader, reader.address, openBlock, next),
    ),
    ...extra,
  });
  if (res.status < 300 || res.status === 418) balance = next;
  return res;
}

beforeAll(async () => {
  upstreamServer = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain; charset=utf-8", "x-secret": "no" });
    res.end(`upstream says hello from ${req.url}`);
  });
  await new Promise<void>((r) => upstreamServer.listen(0, "127.0.0.1", r));
  const port = (upstreamServer.address() as AddressInfo).port;
  f = await startSiteFixture({
    env: { UPSTREAM_URL: `http://127.0.0.1:${port}/base`, UPSTREAM_PRICE: "7" },
  });
  await seed();
  reader = f.readers[0]!;
  openBlock = await f.openChannel(reader, 100n * TOKEN);
  await indexChannel(f, reader, openBlock, 100n * TOKEN);
});
afterAll(async () => {
  await f?.stop();
  upstreamServer?.close();
});

describe("media", () => {
  it.each([
    ["kitten.jpg", 1n * CENT, 200],
    ["doggo.jpg", 2n * CENT, 200],
    ["teapot.jpg", 3n * CENT, 418],
  ])("%s costs its price and is served with status %i", async (file, price, status) => {
    const unpaid = await call(media, `/media/${file}`, { path: [file] });
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get("RDN-Price")).toBe(price.toString());
    expect((await unpaid.arrayBuffer()).byteLength).toBeLessThan(1000);
    const res = await payFor(media, `/media/${file}`, { path: [file] }, price);
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("image/jpeg");
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8]); // JPEG magic
  });

  it("answers 404 for unknown files and path tricks", async () => {
    expect((await call(media, "/media/none.jpg", { path: ["none.jpg"] })).status).toBe(404);
    expect((await call(media, "/media/../x", { path: ["..", "x"] })).status).toBe(404);
  });
});

describe("paid API routes", () => {
  it("fixed-price echo costs 5", async () => {
    const unpaid = await call(fix, "/api/echo/fix/hi", { param: "hi" });
    expect(unpaid.status).toBe(402);
    expect(unpaid.headers.get("RDN-Price")).toBe("5");
    const res = await payFor(fix, "/api/echo/fix/hi", { param: "hi" }, 5n);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "hi" });
  });

  it("dynamic echo costs its parameter; 0 is free", async () => {
    const unpaid = await call(dyn, "/api/echo/dyn/9", { param: "9" });
    expect(unpaid.headers.get("RDN-Price")).toBe("9");
    const res = await payFor(dyn, "/api/echo/dyn/9", { param: "9" }, 9n);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ echo: "9" });
    const free = await call(dyn, "/api/echo/dyn/0", { param: "0" });
    expect(free.status).toBe(200);
    expect(await free.json()).toEqual({ echo: "0" });
  });

  it("dynamic echo rejects a non-numeric parameter with 400", async () => {
    const res = await call(dyn, "/api/echo/dyn/abc", { param: "abc" });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatch(/param/);
  });
});

describe("paywalled upstream", () => {
  it("fetches the upstream only after payment", async () => {
    const unpaid = await call(upstream, "/upstream/page?x=1", { path: ["page"] });
    expect(unpaid.status).toBe(402);
    expect(await unpaid.text()).not.toContain("upstream says hello");
    const res = await call(
      upstream,
      "/upstream/page?x=1",
      { path: ["page"] },
      {
        ...paymentHeaders(
          reader.address,
          openBlock,
          balance + 7n,
          await proof(f, reader, reader.address, openBlock, balance + 7n),
        ),
      },
    );
    expect(res.status).toBe(200);
    balance += 7n;
    expect(await res.text()).toBe("upstream says hello from /base/page?x=1");
    expect(res.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(res.headers.get("x-secret")).toBeNull();
    expect(res.headers.get("RDN-Sender-Balance")).toBe(balance.toString());
  });
});

describe("malformed RDN values", () => {
  const good = {
    "RDN-Sender-Address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "RDN-Open-Block": "5",
    "RDN-Sender-Balance": "1",
    "RDN-Balance-Signature": `0x${"11".repeat(65)}`,
  };
  it.each([
    ["RDN-Sender-Address", { "RDN-Sender-Address": "0x1234" }],
    ["RDN-Open-Block", { "RDN-Open-Block": "abc" }],
    ["RDN-Open-Block", { "RDN-Open-Block": "-1" }],
    ["RDN-Open-Block", { "RDN-Open-Block": "4294967296" }],
    ["RDN-Sender-Balance", { "RDN-Sender-Balance": "1.5" }],
    ["RDN-Sender-Balance", { "RDN-Sender-Balance": (2n ** 192n).toString() }],
    ["RDN-Balance-Signature", { "RDN-Balance-Signature": "0xdead" }],
    ["RDN-Payment", { "RDN-Payment": "x" }],
    ["RDN-Receiver-Address", { "RDN-Receiver-Address": "receiver" }],
    ["RDN-Contract-Address", { "RDN-Contract-Address": "0xzz" }],
  ])("answers 409 naming %s", async (header, bad) => {
    const res = await call(
      article,
      "/articles/why-payment-channels",
      { slug: "why-payment-channels" },
      { ...good, ...bad },
    );
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error).toContain(header);
    expect(body.header).toBe(header);
  });

  it.each(["RDN-Sender-Address", "RDN-Open-Block", "RDN-Sender-Balance"])(
    "answers 409 when %s is missing next to a signature",
    async (missing) => {
      const headers: Record<string, string> = { ...good };
      delete headers[missing];
      const res = await call(
        article,
        "/articles/why-payment-channels",
        { slug: "why-payment-channels" },
        headers,
      );
      expect(res.status).toBe(409);
      expect((await res.json()).error).toContain(missing);
    },
  );
});

describe("chain unavailable", () => {
  it("answers 502 when the receiver's ETH is below the dispute limit, and recovers", async () => {
    const original = await f.publicClient.getBalance({ address: f.receiver.address });
    await f.testClient.setBalance({ address: f.receiver.address, value: 10n });
    resetChainConfig();
    const res = await call(article, "/articles/why-payment-channels", {
      slug: "why-payment-channels",
    });
    expect(res.status).toBe(502);
    expect((await res.json()).error).toMatch(/ETH balance .* below/);
    await f.testClient.setBalance({ address: f.receiver.address, value: original });
    resetChainConfig();
    expect(
      (await call(article, "/articles/why-payment-channels", { slug: "why-payment-channels" }))
        .status,
    ).toBe(402);
  });

  it("answers 502 when the chain RPC is unreachable", async () => {
    const rpc = process.env.RPC_URL;
    process.env.RPC_URL = "http://127.0.0.1:9"; // discard port: nothing listens
    resetEnv();
    resetChainConfig();
    try {
      const res = await call(article, "/articles/why-payment-channels", {
        slug: "why-payment-channels",
      });
      expect(res.status).toBe(502);
      expect((await res.json()).error).toMatch(/RPC .* unreachable/);
    } finally {
      process.env.RPC_URL = rpc;
      resetEnv();
      resetChainConfig();
    }
  });
});
