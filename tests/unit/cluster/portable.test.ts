import { describe, expect, it } from "vitest";
import { fromWire, toWire } from "@/lib/cluster/wire";
import { databaseKind } from "@/lib/db/kind";
import { numberedPlaceholders } from "@/lib/db/sql";
import { ftsQuery, tsQuery } from "@/lib/content/search";
import { databaseLabel } from "@/lib/admin/settings";

describe("databaseKind", () => {
  it.each([
    ["file:./data/site.db", "sqlite"],
    ["file:/tmp/x.db?mode=rwc", "sqlite"],
    ["postgresql://u@127.0.0.1:5432/site", "postgres"],
    ["postgres://u:p@db/site", "postgres"],
  ])("%s is %s", (url, kind) => expect(databaseKind(url)).toBe(kind));

  it.each(["mysql://db/site", "./data/site.db", "sqlite:site.db"])("refuses %s", (url) =>
    expect(() => databaseKind(url)).toThrow(/DATABASE_URL must start with file: .* postgresql:/),
  );
});

describe("numberedPlaceholders", () => {
  it("numbers each ? in order", () =>
    expect(numberedPlaceholders(`SELECT "a" FROM "T" WHERE "x" = ? AND "y" IN (?, ?)`)).toBe(
      `SELECT "a" FROM "T" WHERE "x" = $1 AND "y" IN ($2, $3)`,
    ));
  it("leaves SQL without placeholders alone", () =>
    expect(numberedPlaceholders(`SELECT 1`)).toBe(`SELECT 1`));
});

describe("search queries", () => {
  it("makes every word a required prefix term on both databases", () => {
    expect(tsQuery("Fran ice")).toBe("Fran:* & ice:*");
    expect(ftsQuery("Fran ice")).toBe('"Fran"* "ice"*');
  });
  it("lets no operator through", () => {
    expect(tsQuery("a & b | !c <-> d:* (e)")).toBe("a:* & b:* & c:* & d:* & e:*");
    expect(tsQuery("&|!:*()")).toBeUndefined();
  });
});

describe("wire format between instances", () => {
  it("keeps bigints exact and dates, nested", () => {
    const value = {
      amount: 2n ** 200n + 1n,
      list: [1n, { at: new Date("2026-11-28T01:02:03.004Z"), n: 5 }],
      text: "x",
      none: null,
    };
    const back = fromWire<typeof value>(toWire(value));
    expect(back).toEqual(value);
    expect(typeof back.amount).toBe("bigint");
    expect(back.list[1]).toEqual({ at: new Date("2026-11-28T01:02:03.004Z"), n: 5 });
  });
  it("does not mistake an ordinary object with more keys for a tagged value", () => {
    expect(fromWire(toWire({ $bigint: "1", other: 2 }))).toEqual({ $bigint: "1", other: 2 });
  });
});

describe("the settings page's database label", () => {
  it("names the file or the server and database, never the credentials", () => {
    expect(databaseLabel("file:./data/site.db")).toBe("SQLite ./data/site.db");
    const pg = databaseLabel(
      "postgresql://paychan:s3cret@db.internal:5433/paychan?sslmode=require",
    );
    expect(pg).toBe("PostgreSQL db.internal:5433/paychan");
    expect(pg).not.toContain("s3cret");
  });
});
