/** The URL of the proxy's internal rewrites: the host as requested, not Next's `localhost`. */
import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { rewriteUrl } from "@/lib/paywall/rewrite-url";

describe("rewriteUrl", () => {
  it("keeps the host as requested, where req.nextUrl says localhost", () => {
    // What next.config's skipProxyUrlNormalize sets in the build: req.url as requested.
    const saved = process.env.__NEXT_NO_MIDDLEWARE_URL_NORMALIZE;
    process.env.__NEXT_NO_MIDDLEWARE_URL_NORMALIZE = "true";
    const req = new NextRequest("http://127.0.0.1:4123/wire/a%20b?x=1&y=%2F");
    if (saved === undefined) delete process.env.__NEXT_NO_MIDDLEWARE_URL_NORMALIZE;
    else process.env.__NEXT_NO_MIDDLEWARE_URL_NORMALIZE = saved;
    expect(req.nextUrl.host).toBe("localhost:4123"); // why req.nextUrl cannot be used
    expect(rewriteUrl(req, "/upstream/a%20b").href).toBe(
      "http://127.0.0.1:4123/upstream/a%20b?x=1&y=%2F",
    );
    expect(rewriteUrl(req, "//evil.example/x").host).toBe("127.0.0.1:4123");
  });
});
