/**
 * Paths as clients may spell them, against the production build (`next start` bound to
 * 127.0.0.1): Next's image optimizer never serves a paid image, and the paywalled-upstream prefix
 * is served in place on the address the server listens on.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resetEnv } from "@/lib/env";
import type { PaywallContext } from "@/lib/paywall/context";
import { createGrant } from "@/lib/paywall/verdict";
import { startNextServer } from "../../helpers/next-server";
import { startSiteServer, type SiteServer } from "../../helpers/site-server";

const SESSION_SECRET = "encoded-paths-session-secret-0123456789abcdef";
const UPSTREAM_PREFIX = "/wire";
const UPSTREAM_PRICE = "7";

let site: SiteServer;
let upstream: Server;
/** Requests the upstream got: none, since nothing here is paid for. */
const upstreamHits: { path: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits.push({ path: req.url ?? "", headers: req.headers });
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("upstream content");
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const port = (upstream.address() as AddressInfo).port;
  site = await startSiteServer({
    env: {
      SESSION_SECRET,
      UPSTREAM_PREFIX,
      UPSTREAM_URL: `http://127.0.0.1:${port}/base`,
      UPSTREAM_PRICE,
    },
  });
}, 180_000);

afterAll(async () => {
  await site?.stop();
  upstream?.close();
});

describe("Next's image optimizer", () => {
  it("never serves a paid image, even with a valid grant", async () => {
    process.env.SESSION_SECRET = SESSION_SECRET;
    resetEnv();
    // The grant is keyed by SESSION_SECRET alone when it is set: no chain context is needed.
    const grant = createGrant({} as PaywallContext, "/media/kitten.jpg");
    const direct = await fetch(`${site.url}/media/kitten.jpg?grant=${encodeURIComponent(grant)}`);
    expect(direct.status).toBe(200); // the grant is valid
    expect(direct.headers.get("content-type")).toBe("image/jpeg");
    await direct.arrayBuffer();

    const src = encodeURIComponent(`/media/kitten.jpg?grant=${grant}`);
    for (const url of [
      `/_next/image?url=${src}&w=64&q=75`,
      `/_next/image?url=${encodeURIComponent("/media/kitten.jpg")}&w=64&q=75`,
    ]) {
      const res = await fetch(`${site.url}${url}`, { headers: { accept: "image/webp,*/*" } });
      const body = Buffer.from(await res.arrayBuffer());
      expect([400, 404], url).toContain(res.status);
      expect(res.headers.get("content-type") ?? "").not.toMatch(/^image\//);
      expect(res.headers.get("cache-control") ?? "").not.toContain("public");
      expect(body.subarray(0, 4).toString("latin1")).not.toMatch(/RIFF|\xff\xd8/);
    }
  });
});

describe("the paywalled-upstream prefix", () => {
  it("on a server bound to 127.0.0.1, asked as 127.0.0.1:<port>: served by the paid route in place", async () => {
    const res = await fetch(`${site.url}${UPSTREAM_PREFIX}/page.txt?x=1`);
    expect(res.status).toBe(402);
    expect(res.headers.get("rdn-price")).toBe(UPSTREAM_PRICE);
    await res.arrayBuffer();
    // Next names an internal rewrite by its path; another origin (http://localhost:<port>/…)
    // would be an HTTP hop.
    expect(res.headers.get("x-middleware-rewrite")).toBe("/upstream/page.txt?x=1");
    expect(upstreamHits).toEqual([]);
  });

  it("where localhost is not the address the server listens on: still the paid route", async () => {
    // Something else answers on localhost at the same port, the site on 127.0.0.2.
    const decoy = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("not the site");
    });
    await new Promise<void>((r) => decoy.listen(0, "127.0.0.1", r));
    const port = (decoy.address() as AddressInfo).port;
    const other = await startNextServer({
      host: "127.0.0.2",
      port,
      env: { ...site.serverEnv, INDEXER_ENABLED: "false" },
    });
    try {
      const res = await fetch(`${other.url}${UPSTREAM_PREFIX}/page.txt`);
      const body = await res.text();
      expect(body).not.toContain("not the site");
      expect(res.status).toBe(402);
      expect(res.headers.get("rdn-price")).toBe(UPSTREAM_PRICE);
    } finally {
      await other.stop();
      decoy.close();
    }
  });
});
