import { describe, expect, it } from "vitest";
import {
  identifyVisitor,
  programVisitorId,
  VISITOR_COOKIE,
  visitorIdSchema,
} from "@/lib/paywall/visitor";

const SECRET = "visitor-test-secret-0123456789abcdef";
const COOKIE_ID = "AAAAAAAAAAAAAAAAAAAAAA";

const request = (headers: Record<string, string>, url = "http://127.0.0.1:3000/articles/x") =>
  new Request(url, { headers });

describe("identifyVisitor", () => {
  it("is the reader of a well-formed rdn_visitor cookie, browser or program", () => {
    for (const extra of [{}, { "sec-fetch-site": "same-origin" }] as Record<string, string>[]) {
      const v = identifyVisitor(
        request({ cookie: `a=1; ${VISITOR_COOKIE}=${COOKIE_ID}`, ...extra }),
        SECRET,
      );
      expect(v).toEqual({ id: COOKIE_ID });
    }
  });

  it("gives a browser without one a new random id in an HttpOnly, SameSite=Lax cookie", () => {
    const headers = { "sec-fetch-site": "none", "user-agent": "Browser/1" };
    const a = identifyVisitor(request(headers), SECRET);
    const b = identifyVisitor(request(headers), SECRET);
    expect(visitorIdSchema.safeParse(a.id).success).toBe(true);
    expect(a.id).not.toBe(b.id);
    expect(a.setCookie).toBe(
      `${VISITOR_COOKIE}=${a.id}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax`,
    );
    const secure = identifyVisitor(request(headers, "https://example.org/articles/x"), SECRET);
    expect(secure.setCookie).toMatch(/; Secure$/);
  });

  it("replaces a malformed cookie", () => {
    const v = identifyVisitor(
      request({ cookie: `${VISITOR_COOKIE}=../../x`, "sec-fetch-site": "none" }),
      SECRET,
    );
    expect(v.id).not.toBe("../../x");
    expect(v.setCookie).toBeDefined();
  });

  it("names a program by a keyed hash of its address and User-Agent, without a cookie", () => {
    const headers = { "x-forwarded-for": "203.0.113.7", "user-agent": "curl/8" };
    const v = identifyVisitor(request(headers), SECRET);
    expect(v.setCookie).toBeUndefined();
    expect(v.id).toMatch(/^p:[A-Za-z0-9_-]{22}$/);
    expect(v.id).not.toContain("203.0.113.7");
    // The same on the next request; another address, agent or key is another reader.
    expect(identifyVisitor(request(headers), SECRET).id).toBe(v.id);
    expect(v.id).toBe(programVisitorId(SECRET, "203.0.113.7", "curl/8"));
    expect(programVisitorId(SECRET, "203.0.113.8", "curl/8")).not.toBe(v.id);
    expect(programVisitorId(SECRET, "203.0.113.7", "curl/9")).not.toBe(v.id);
    expect(programVisitorId(`${SECRET}x`, "203.0.113.7", "curl/8")).not.toBe(v.id);
    // A program id is never taken from a cookie.
    expect(visitorIdSchema.safeParse(v.id).success).toBe(false);
  });
});
