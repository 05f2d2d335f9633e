import { describe, expect, it } from "vitest";
import { readerInitiated } from "@/lib/paywall/article-gate";

describe("readerInitiated (may auto-pay pay this page without a click?)", () => {
  it.each([
    [
      "a link within the site",
      { "sec-fetch-site": "same-origin", "sec-fetch-mode": "navigate" },
      true,
    ],
    [
      "the client router's fetch",
      { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" },
      true,
    ],
    ["a typed address or a bookmark", { "sec-fetch-site": "none", "sec-fetch-user": "?1" }, true],
    [
      "a click on another site's link",
      { "sec-fetch-site": "cross-site", "sec-fetch-user": "?1" },
      true,
    ],
    ["another site opening or walking the site", { "sec-fetch-site": "cross-site" }, false],
    ["a sibling subdomain's script", { "sec-fetch-site": "same-site" }, false],
    ["a browser without Fetch Metadata", {}, false],
  ])("%s: %s", (_name, headers, expected) => {
    expect(readerInitiated(new Headers(headers as Record<string, string>))).toBe(expected);
  });
});
