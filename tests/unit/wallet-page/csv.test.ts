import { describe, expect, it } from "vitest";
import { csvField, toCsv } from "@/components/wallet-page/csv";

/** An RFC 4180 reader, to check that what the writer produces reads back to the same cells. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += ch;
  }
  expect(cell).toBe("");
  expect(row).toEqual([]);
  return rows;
}

describe("csvField", () => {
  it.each([
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\rhere", '"cr\rhere"'],
    [" padded ", '" padded "'],
    ["", ""],
    ['=HYPERLINK("x")', '"\'=HYPERLINK(""x"")"'],
    ["+1+2", "'+1+2"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["-0.5", "-0.5"],
  ])("writes %j as %j", (input, expected) => {
    expect(csvField(input)).toBe(expected);
  });

  it("writes numbers and bigints unchanged", () => {
    expect(csvField(-3)).toBe("-3");
    expect(csvField(2n ** 200n)).toBe((2n ** 200n).toString());
  });
});

describe("toCsv", () => {
  it("writes a header row and CRLF-terminated rows that read back to the same cells", () => {
    const header = ["time", "title", "amount"];
    const rows = [
      ["2024-01-02T03:04:05.000Z", 'Commas, "quotes"\nand lines', "0.001"],
      ["2024-01-01T00:00:00.000Z", "Plain", "12"],
    ];
    const text = toCsv(header, rows);
    expect(text.startsWith("time,title,amount\r\n")).toBe(true);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(parseCsv(text)).toEqual([header, ...rows]);
  });

  it("writes only the header for an empty history", () => {
    expect(toCsv(["a", "b"], [])).toBe("a,b\r\n");
  });
});
