import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  categorySchema,
  checkImage,
  mediaNameSchema,
  slugSchema,
  sniffImageType,
  tokenPriceSchema,
  upstreamPrefixSchema,
  upstreamUrlSchema,
} from "@/lib/admin/content-validation";
import { isSitePath, siteTopLevelPaths } from "@/lib/admin/upstream-site-paths";
import { BadRequestError } from "@/lib/errors";

const T = 10n ** 18n;
const issue = (r: { success: boolean; error?: { issues: { message: string }[] } }) =>
  r.success ? undefined : r.error!.issues[0]!.message;

describe("tokenPriceSchema of an 18-decimals token", () => {
  const schema = tokenPriceSchema({ symbol: "TKN", decimals: 18 });
  it.each([
    ["0.25", T / 4n],
    ["1", T],
    [" 2.5 ", (5n * T) / 2n],
    ["0.000000000000000001", 1n],
    ["1000000", 1_000_000n * T],
  ])("%s → %s base units", (input, expected) => {
    expect(schema.parse(input)).toBe(expected);
  });
  it.each([
    ["abc", "must be a token amount like 0.25"],
    ["", "must be a token amount like 0.25"],
    ["-1", "must be a token amount like 0.25"],
    ["1e18", "must be a token amount like 0.25"],
    [".5", "must be a token amount like 0.25"],
    ["1,5", "must be a token amount like 0.25"],
    ["$0.05", "must be a token amount like 0.25"],
    ["0.0000000000000000001", "must have at most 18 decimals (TKN has no smaller unit)"],
    ["0", "must be more than 0"],
    ["0.000", "must be more than 0"],
    ["9".repeat(58), "is too large"],
  ])("%j is refused: %s", (input, message) => {
    expect(issue(schema.safeParse(input))).toBe(message);
  });
});

describe("tokenPriceSchema of a 6-decimals dollar token", () => {
  const schema = tokenPriceSchema({ symbol: "dUSD", decimals: 6 });
  it.each([
    ["0.05", 50_000n],
    ["$0.05", 50_000n],
    [" $ 1.50 ", 1_500_000n],
    ["0.000001", 1n],
    ["12", 12_000_000n],
  ])("%j → %s base units", (input, expected) => {
    expect(schema.parse(input)).toBe(expected);
  });
  it.each([
    ["0.0000001", "must have at most 6 decimals (dUSD has no smaller unit)"],
    ["0.05 USD", "must be a dollar amount like 0.05"],
    ["$$1", "must be a dollar amount like 0.05"],
    ["$", "must be a dollar amount like 0.05"],
    ["$0", "must be more than 0"],
  ])("%j is refused: %s", (input, message) => {
    expect(issue(schema.safeParse(input))).toBe(message);
  });
});

describe("slugSchema and categorySchema", () => {
  it.each(["a", "the-402-status-code", "0-day", "a".repeat(121)])("slug %s passes", (s) => {
    expect(slugSchema.safeParse(s).success).toBe(true);
  });
  it.each(["", "-a", "A", "a b", "a/b", "a_b", "é", "a".repeat(122)])("slug %j is refused", (s) => {
    expect(slugSchema.safeParse(s).success).toBe(false);
  });
  it.each([
    ["", true],
    ["east-n-southeast-asia", true],
    ["Europe", false],
    ["a b", false],
  ])("category %j passes: %s", (c, ok) => {
    expect(categorySchema.safeParse(c).success).toBe(ok);
  });
});

describe("images", () => {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const bytes = (...b: number[]) => new Uint8Array(b);
  const text = (s: string) => new TextEncoder().encode(s);
  it.each([
    ["PNG", bytes(...png), "image/png"],
    ["JPEG", bytes(0xff, 0xd8, 0xff, 0xe0), "image/jpeg"],
    ["GIF87a", text("GIF87a..."), "image/gif"],
    ["GIF89a", text("GIF89a..."), "image/gif"],
    ["WebP", text("RIFF\0\0\0\0WEBPVP8 "), "image/webp"],
    ["SVG", text("<svg xmlns='http://www.w3.org/2000/svg'/>"), undefined],
    ["HTML", text("<!doctype html><script>"), undefined],
    ["RIFF but WAVE", text("RIFF\0\0\0\0WAVEfmt "), undefined],
    ["truncated PNG", bytes(0x89, 0x50, 0x4e), undefined],
  ])("%s sniffs as %s", (_name, b, type) => {
    expect(sniffImageType(b)).toBe(type);
  });

  it.each([
    ["a.png", true],
    ["Photo_1.JPEG", true],
    ["x.webp", true],
    ["x.gif", true],
    ["x.svg", false],
    ["x.png.html", false],
    [".hidden.png", false],
    ["a/b.png", false],
    ["noext", false],
  ])("media name %s passes: %s", (name, ok) => {
    expect(mediaNameSchema.safeParse(name).success).toBe(ok);
  });

  it.each([
    ["a.png", bytes(...png), "", "image/png"],
    ["a.jpg", bytes(0xff, 0xd8, 0xff), "image/jpeg", "image/jpeg"],
    ["a.png", bytes(0xff, 0xd8, 0xff), "", /^name: \.png does not match/],
    ["a.png", bytes(...png), "image/svg+xml", /^file: is image\/png, not image\/svg\+xml$/],
    ["a.png", text("<svg/>"), "", /^file: must be a PNG/],
    ["a.png", new Uint8Array(0), "", /^file: is empty$/],
    ["a.png", new Uint8Array(5 * 1024 * 1024 + 1), "", /^file: is larger than 5 MiB$/],
  ])("checkImage(%s, …, %j) → %s", (name, b, declared, expected) => {
    if (typeof expected === "string") {
      expect(checkImage(name, b, declared)).toBe(expected);
      return;
    }
    expect(() => checkImage(name, b, declared)).toThrow(BadRequestError);
    expect(() => checkImage(name, b, declared)).toThrow(expected);
  });
});

describe("upstream prefixes and URLs", () => {
  it.each([
    ["/docs", true],
    ["/docs/v2", true],
    ["/a.b_c-d", true],
    ["/docs/", false],
    ["docs", false],
    ["/", false],
    ["/Docs", false],
    ["/docs//v2", false],
    ["/docs/..", false],
    ["/-x", false],
    ["/docs?x", false],
  ])("prefix %s passes: %s", (p, ok) => {
    expect(upstreamPrefixSchema.safeParse(p).success).toBe(ok);
  });

  it.each([
    ["http://127.0.0.1:8080/base", true],
    ["https://example.com", true],
    ["ftp://example.com/", false],
    ["javascript:alert(1)", false],
    ["http://u:p@example.com/", false],
    ["http://example.com/?q=1", false],
    ["http://example.com/#x", false],
    ["example.com", false],
  ])("url %s passes: %s", (u, ok) => {
    expect(upstreamUrlSchema.safeParse(u).success).toBe(ok);
  });
});

describe("the site's own paths", () => {
  it("include every top-level folder of app/ and file of public/", () => {
    const paths = siteTopLevelPaths();
    const app = readdirSync(path.join(process.cwd(), "app"), { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith("_") && !e.name.startsWith("("))
      .map((e) => e.name);
    for (const name of [...app, ...readdirSync(path.join(process.cwd(), "public"))])
      expect(paths.has(name), name).toBe(true);
    for (const name of ["api", "admin", "_next", "llms.txt", "category", "search", "favicon.ico"])
      expect(paths.has(name), name).toBe(true);
  });

  it("flatten route groups, skip private folders, and a dynamic top level takes everything", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "site-paths-"));
    try {
      mkdirSync(path.join(root, "app/(shop)/catalogue"), { recursive: true });
      mkdirSync(path.join(root, "app/_lib"), { recursive: true });
      mkdirSync(path.join(root, "public"), { recursive: true });
      writeFileSync(path.join(root, "public/logo.png"), "");
      writeFileSync(path.join(root, "app/robots.ts"), "");
      const paths = siteTopLevelPaths(root);
      expect(isSitePath("/catalogue/x", paths)).toBe(true);
      expect(isSitePath("/logo.png", paths)).toBe(true);
      expect(isSitePath("/robots.txt", paths)).toBe(true);
      expect(isSitePath("/_lib", paths)).toBe(false);
      expect(isSitePath("/docs", paths)).toBe(false);
      mkdirSync(path.join(root, "app/[slug]"));
      expect(isSitePath("/docs", siteTopLevelPaths(root))).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
