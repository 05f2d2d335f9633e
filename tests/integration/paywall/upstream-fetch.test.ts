/**
 * fetchUpstream (lib/paywall/upstream.ts) and the addresses it connects to: the host is resolved
 * once, every address it has is checked, and the connection goes to the address checked (a second
 * lookup could answer differently: DNS rebinding). DNS is replaced here by a table of names.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

const dns = vi.hoisted(() => ({
  answers: new Map<string, { address: string; family: number }[]>(),
  lookups: [] as string[],
}));
vi.mock("node:dns/promises", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:dns/promises")>();
  const lookup = async (host: string, opts: object) => {
    dns.lookups.push(host);
    const answer = dns.answers.get(host);
    if (answer) return answer;
    return real.lookup(host, { ...opts, all: true });
  };
  return { ...real, lookup, default: { ...real, lookup } };
});

const { fetchUpstream } = await import("@/lib/paywall/upstream");
const { BadGatewayError } = await import("@/lib/errors");

let server: Server;
let port: number;
const hits: { url: string; host: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push({ url: req.url ?? "", host: req.headers.host ?? "" });
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data" });
      res.end();
      return;
    }
    res.writeHead(200, { "content-type": "text/plain" });
    res.end(`hello ${req.url}`);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());
beforeEach(() => {
  hits.length = 0;
  dns.lookups.length = 0;
  dns.answers.clear();
});

const limits = (allowPrivate: boolean) => ({
  accept: "*/*",
  timeoutMs: 2000,
  maxBytes: 10_000,
  allowPrivate,
});

async function refusal(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadGatewayError);
  return err as Error;
}

describe("fetchUpstream", () => {
  it("connects to the address it checked, with the upstream's name as Host", async () => {
    dns.answers.set("pinned.example", [{ address: "127.0.0.1", family: 4 }]);
    const res = await fetchUpstream(new URL(`http://pinned.example:${port}/a?b=1`), limits(true));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hello /a?b=1");
    expect(hits).toEqual([{ url: "/a?b=1", host: `pinned.example:${port}` }]);
    // Resolved once: the connection did not look the name up again.
    expect(dns.lookups).toEqual(["pinned.example"]);
  });

  it.each([
    ["localhost (loopback)", "localhost"],
    ["a loopback IP", "127.0.0.1"],
    ["IPv6 loopback", "[::1]"],
  ])("refuses %s without the allow setting, before connecting", async (_name, host) => {
    const err = await refusal(fetchUpstream(new URL(`http://${host}:${port}/x`), limits(false)));
    expect(err.message).toBe("the upstream's address is not allowed");
    expect(err.message).not.toContain(String(port));
    expect(hits).toEqual([]);
  });

  it("refuses a name when any of its addresses is private (link-local metadata)", async () => {
    dns.answers.set("rebind.example", [
      { address: "93.184.216.34", family: 4 },
      { address: "169.254.169.254", family: 4 },
    ]);
    const err = await refusal(
      fetchUpstream(new URL(`http://rebind.example:${port}/x`), limits(false)),
    );
    expect(err.message).toBe("the upstream's address is not allowed");
  });

  it("refuses a name that resolves to an IPv4-mapped private address", async () => {
    dns.answers.set("mapped.example", [{ address: "::ffff:10.0.0.7", family: 6 }]);
    const err = await refusal(
      fetchUpstream(new URL(`http://mapped.example:${port}/x`), limits(false)),
    );
    expect(err.message).toBe("the upstream's address is not allowed");
  });

  it("passes a redirect on without following it or its Location", async () => {
    const res = await fetchUpstream(new URL(`http://127.0.0.1:${port}/redirect`), limits(true));
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBeNull();
    expect(hits.map((h) => h.url)).toEqual(["/redirect"]);
  });
});
