/**
 * The authors' revenue of a period as CSV (RFC 4180): CRLF line ends, fields with a comma, quote
 * or line break quoted, quotes doubled. Author names are free text, so a name a spreadsheet would
 * run as a formula (leading `=`, `+`, `-`, `@`, tab or carriage return) is prefixed with `'`.
 */
import { formatUnits } from "viem";
import type { TokenUnit } from "@/lib/format";
import type { AuthorRevenue } from "./revenue";

/** The header row of {@link authorsCsv}. */
export const AUTHORS_CSV_COLUMNS = [
  "author",
  "articles",
  "payments",
  "revenue_tokens",
  "revenue_base_units",
] as const;

/** A text cell a spreadsheet will not evaluate: formula triggers get a leading `'`. */
export function neutraliseFormula(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** One RFC 4180 field: quoted when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Rows (header first) as RFC 4180 text with CRLF line ends and a final CRLF. */
export function toCsv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(",") + "\r\n").join("");
}

/**
 * The authors' revenue as CSV: `author,articles,payments,revenue_tokens,revenue_base_units`
 * (`revenue_tokens` in whole tokens of `unit`: dollars for a dollar token).
 *
 * @example
 * authorsCsv([{ author: "Ada", articles: 2, payments: 3, revenue: 1500000000000000000n }], { symbol: "TKN", decimals: 18 })
 * // "author,articles,payments,revenue_tokens,revenue_base_units\r\nAda,2,3,1.5,1500000000000000000\r\n"
 */
export function authorsCsv(authors: readonly AuthorRevenue[], unit: TokenUnit): string {
  return toCsv([
    AUTHORS_CSV_COLUMNS,
    ...authors.map((a) => [
      neutraliseFormula(a.author),
      String(a.articles),
      String(a.payments),
      formatUnits(a.revenue, unit.decimals),
      a.revenue.toString(),
    ]),
  ]);
}
