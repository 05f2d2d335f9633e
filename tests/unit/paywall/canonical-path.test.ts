/**
 * The canonical spelling of a path: percent-encoded unreserved characters decoded, nothing else,
 * and the redirect proxy.ts answers for another spelling of an article or paid path.
 */
import { describe, expect, it } from "vitest";
import { canonicalPaidRedirect, canonicalPath } from "@/lib/paywall/canonical-path";

describe("canonicalPath", () => {
  const cases: [string, string][] = [
    ["/articles/world", "/articles/world"],
    ["/articles/worl%64", "/articles/world"],
    ["/articles/worl%44", "/articles/worlD"],
    ["/articl%65s/the-402-status-cod%65", "/articles/the-402-status-code"],
    ["/%6D%65%64%69%61/kitten%2Ejpg", "/media/kitten.jpg"],
    ["/a/%30%39%41%5A%61%7A%2d%2E%5f%7e", "/a/09AZaz-._~"],
    // Reserved and other characters keep their encoding (another resource, or not a path char).
    ["/api/echo/fix/a%20b", "/api/echo/fix/a%20b"],
    ["/upstream/a%2Fb", "/upstream/a%2Fb"],
    ["/articles/worl%2564", "/articles/worl%2564"],
    ["/media/%3Fgrant%3Dx", "/media/%3Fgrant%3Dx"],
    ["/a/%40%5B%60%7B%2F%3A%2C%C3%A9", "/a/%40%5B%60%7B%2F%3A%2C%C3%A9"],
    // A dot segment is never made.
    ["/media/%2E%2E/x", "/media/%2E%2E/x"],
    ["/articles/%2e", "/articles/%2e"],
    ["/media/%2E%2Ex", "/media/..x"],
  ];
  for (const [path, canonical] of cases) {
    it(`${path} → ${canonical}`, () => expect(canonicalPath(path)).toBe(canonical));
  }
});

describe("canonicalPaidRedirect", () => {
  const none = async () => false;

  it("redirects another spelling of an article or paid path, query kept", async () => {
    for (const [path, canonical] of [
      ["/articles/worl%64", "/articles/world"],
      ["/articles/worl%64/", "/articles/world/"],
      ["/%6Dedia/kitten.jpg", "/media/kitten.jpg"],
      ["/api/echo/fix/hell%6F", "/api/echo/fix/hello"],
      ["/upstrea%6D/a", "/upstream/a"],
      ["/upstream-rout%65/3/a", "/upstream-route/3/a"],
    ]) {
      const res = await canonicalPaidRedirect(path!, `http://127.0.0.1:4123${path}?a=%20b`, none);
      expect(res?.status, path).toBe(308);
      expect(res?.headers.get("location")).toBe(`http://127.0.0.1:4123${canonical}?a=%20b`);
      expect(res?.headers.get("x-content-type-options")).toBe("nosniff");
    }
  });

  it("redirects under a paywalled-upstream prefix", async () => {
    const isUpstream = async (p: string) => p.startsWith("/docs/");
    const url = "http://h/d%6Fcs/a";
    const res = await canonicalPaidRedirect("/d%6Fcs/a", url, isUpstream);
    expect(res?.headers.get("location")).toBe("http://h/docs/a");
    expect(await canonicalPaidRedirect("/d%6Fcs/a", url, none)).toBeUndefined();
  });

  it("leaves canonical paths and other pages alone", async () => {
    for (const path of [
      "/articles/world",
      "/api/echo/fix/a%20b",
      "/w%61llet",
      "/articles/Worl%64",
      "/api/1/st%61ts",
    ]) {
      expect(await canonicalPaidRedirect(path, `http://h${path}`, none), path).toBeUndefined();
    }
  });
});
