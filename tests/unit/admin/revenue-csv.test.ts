import { describe, expect, it } from "vitest";
import { authorsCsv, csvField, neutraliseFormula } from "@/lib/admin/revenue-csv";

const TKN = { symbol: "TKN", decimals: 18 };

describe("authorsCsv", () => {
  it("writes the header and one CRLF-terminated row per author", () => {
    expect(
      authorsCsv(
        [
          { author: "Ada", articles: 2, payments: 3, revenue: 1_500_000_000_000_000_000n },
          { author: "Bob", articles: 1, payments: 0, revenue: 0n },
        ],
        TKN,
      ),
    ).toBe(
      "author,articles,payments,revenue_tokens,revenue_base_units\r\n" +
        "Ada,2,3,1.5,1500000000000000000\r\n" +
        "Bob,1,0,0,0\r\n",
    );
  });

  it("keeps amounts beyond 2^53 exact", () => {
    const csv = authorsCsv(
      [{ author: "Ada", articles: 1, payments: 1, revenue: 2n ** 80n + 1n }],
      TKN,
    );
    expect(csv).toContain(`,${(2n ** 80n + 1n).toString()}\r\n`);
    expect(csv).toContain(",1208925.819614629174706177,");
  });

  it("writes a dollar token's revenue in dollars (its own decimals)", () => {
    const csv = authorsCsv([{ author: "Ada", articles: 1, payments: 2, revenue: 80_000n }], {
      symbol: "dUSD",
      decimals: 6,
    });
    expect(csv).toContain("Ada,1,2,0.08,80000\r\n");
  });

  it.each([
    ["Lovelace, Ada", '"Lovelace, Ada"'],
    ['Ada "The Countess"', '"Ada ""The Countess"""'],
    ["Ada\nLovelace", '"Ada\nLovelace"'],
    ["Ada\r\nLovelace", '"Ada\r\nLovelace"'],
    ['=HYPERLINK("http://x")', '"\'=HYPERLINK(""http://x"")"'],
    ["+1 author", "'+1 author"],
    ["-2", "'-2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["=1+1,2", '"\'=1+1,2"'],
    ["Plain Name", "Plain Name"],
    ["Mid=dle", "Mid=dle"],
  ])("writes the author %j as %j", (author, cell) => {
    const csv = authorsCsv([{ author, articles: 1, payments: 0, revenue: 0n }], TKN);
    expect(csv.split("\r\n").slice(1).join("\r\n")).toBe(`${cell},1,0,0,0\r\n`);
  });
});

describe("csvField / neutraliseFormula", () => {
  it("quotes only when needed", () => {
    expect(csvField("abc")).toBe("abc");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('a"b')).toBe('"a""b"');
  });

  it("neutralises formula triggers, including tab and carriage return", () => {
    for (const lead of ["=", "+", "-", "@", "\t", "\r"]) {
      expect(neutraliseFormula(`${lead}x`)).toBe(`'${lead}x`);
    }
    expect(neutraliseFormula("x=1")).toBe("x=1");
  });
});
