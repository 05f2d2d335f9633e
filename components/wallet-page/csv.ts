/**
 * CSV (RFC 4180) for the history export: comma-separated, CRLF line ends, a field quoted when it
 * holds a comma, a quote, a line break or leading/trailing spaces, quotes doubled inside.
 */

/** Characters that make a spreadsheet read a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field. Text that a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`) gets a
 * leading `'` so an exported resource name can never execute on import; numbers pass unchanged.
 *
 * @example csvField('say "hi", then go') // '"say ""hi"", then go"'
 */
export function csvField(value: string | number | bigint): string {
  let text = String(value);
  if (typeof value === "string" && FORMULA_START.test(text) && !/^-?\d+(\.\d+)?$/.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A whole CSV document: the header row, then one line per row, CRLF after each. */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | bigint)[])[],
): string {
  return [header, ...rows].map((r) => `${r.map(csvField).join(",")}\r\n`).join("");
}
