import { describe, expect, it } from "vitest";
import {
  articleSlug,
  historyCsv,
  HISTORY_CSV_HEADER,
  mergeHistory,
  type LocalPayment,
} from "@/components/wallet-page/history";

const CH = "31337:0xc:0xs:0xr:42";
const OTHER = "31337:0xc:0xs:0xr:43";
const T0 = Date.parse("2024-03-01T10:00:00.000Z");

const local = (o: Partial<LocalPayment>): LocalPayment => ({
  path: "/articles/intro",
  title: "Introduction",
  amount: "5",
  balance: "5",
  channel: CH,
  time: T0,
  ...o,
});

describe("articleSlug", () => {
  it.each([
    ["article:intro", "intro"],
    ["/articles/intro", "intro"],
    ["/articles/caf%C3%A9", "café"],
    ["/articles/a/b", null],
    ["media:photo.jpg", null],
    ["echo:fix:x", null],
  ])("%s → %s", (input, slug) => {
    expect(articleSlug(input)).toBe(slug);
  });
});

describe("mergeHistory", () => {
  it("makes one row of a payment both know, with the local title and the site's time", () => {
    const rows = mergeHistory(
      [local({ time: T0 + 50 })],
      [
        {
          channel: CH,
          openBlock: 42,
          payments: [
            {
              resource: "article:intro",
              amount: "5",
              balance: "5",
              created_at: new Date(T0).toISOString(),
            },
          ],
        },
      ],
    );
    expect(rows).toEqual([
      {
        id: `${CH}:5`,
        channel: CH,
        openBlock: 42,
        resource: "article:intro",
        href: "/articles/intro",
        title: "Introduction",
        amount: 5n,
        balance: 5n,
        time: T0,
        source: "both",
      },
    ]);
  });

  it("keeps payments only one side knows, newest first, and names site rows by local titles", () => {
    const rows = mergeHistory(
      [
        local({ balance: "5", time: T0 }),
        local({
          path: "/articles/later",
          title: "Later",
          balance: "12",
          amount: "7",
          time: T0 + 3000,
          channel: OTHER,
        }),
      ],
      [
        {
          channel: CH,
          openBlock: 42,
          payments: [
            {
              resource: "article:intro",
              amount: "5",
              balance: "10",
              created_at: new Date(T0 + 2000).toISOString(),
            },
            {
              resource: "echo:fix:x",
              amount: "1",
              balance: "11",
              created_at: new Date(T0 + 2000).toISOString(),
            },
            {
              resource: "article:unknown",
              amount: "3",
              balance: "14",
              created_at: new Date(T0 + 1000).toISOString(),
            },
          ],
        },
      ],
      new Map([[OTHER, 43]]),
    );
    expect(rows.map((r) => [r.id, r.source, r.title, r.href, r.openBlock])).toEqual([
      [`${OTHER}:12`, "local", "Later", "/articles/later", 43],
      // Same time: the higher balance first.
      [`${CH}:11`, "site", null, null, 42],
      [`${CH}:10`, "site", "Introduction", "/articles/intro", 42],
      [`${CH}:14`, "site", null, "/articles/unknown", 42],
      [`${CH}:5`, "local", "Introduction", "/articles/intro", null],
    ]);
  });

  it("treats balances numerically (zero-padded or not)", () => {
    const rows = mergeHistory(
      [local({ balance: "007" })],
      [
        {
          channel: CH,
          openBlock: 42,
          payments: [
            {
              resource: "article:intro",
              amount: "5",
              balance: "7",
              created_at: new Date(T0).toISOString(),
            },
          ],
        },
      ],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.source).toBe("both");
  });
});

describe("historyCsv", () => {
  it("exports token units and base units with a header row", () => {
    const rows = mergeHistory(
      [
        local({
          title: 'Dots, "quotes"',
          amount: "1500000000000000000",
          balance: "2500000000000000000",
        }),
      ],
      [],
      new Map([[CH, 42]]),
    );
    const csv = historyCsv(rows, { symbol: "TKN", decimals: 18 });
    expect(csv).toBe(
      `${HISTORY_CSV_HEADER.join(",")}\r\n` +
        `2024-03-01T10:00:00.000Z,42,article:intro,"Dots, ""quotes""",1.5,TKN,1500000000000000000,2500000000000000000,local\r\n`,
    );
  });
});
