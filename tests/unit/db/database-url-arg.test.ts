/**
 * A database URL for a CLI comes from the command line (never with a password), the environment
 * or a file; exactly one of the three.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { databaseUrlFromArgs, hasPassword, redactUrl } from "../../../scripts/lib/database-url-arg";

const dir = mkdtempSync(path.join(os.tmpdir(), "url-arg-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("databaseUrlFromArgs", () => {
  const env = { SOURCE_URL: " postgresql://paychan:s3cret@db:5432/paychan\n", EMPTY: "" };

  it.each([
    ["a file: URL on the command line", { url: "file:./data/site.db" }, "file:./data/site.db"],
    [
      "a postgresql:// URL without a password on the command line",
      { url: "postgresql://paychan@db:5432/paychan" },
      "postgresql://paychan@db:5432/paychan",
    ],
    [
      "a URL with a password from the environment",
      { env: "SOURCE_URL" },
      "postgresql://paychan:s3cret@db:5432/paychan",
    ],
  ])("takes %s", (_, args, expected) => {
    expect(databaseUrlFromArgs(args, "from", env)).toBe(expected);
  });

  it("takes the first line of a file that is not a comment", () => {
    const file = path.join(dir, "target-url");
    writeFileSync(file, "# the new site\npostgresql://paychan:s3cret@db/paychan\n", {
      mode: 0o600,
    });
    expect(databaseUrlFromArgs({ file }, "to", {})).toBe("postgresql://paychan:s3cret@db/paychan");
  });

  it.each([
    [
      "a password on the command line",
      { url: "postgresql://paychan:s3cret@db:5432/paychan" },
      /--from carries a password.*--from-env FROM_URL.*--from-file <path>/,
    ],
    ["nothing", {}, /give exactly one of --from <url>, --from-env <VAR> or --from-file <path>/],
    ["two ways at once", { url: "file:a.db", env: "SOURCE_URL" }, /give exactly one of/],
    ["an empty variable", { env: "EMPTY" }, /the environment variable EMPTY is empty/],
    ["an unset variable", { env: "UNSET" }, /the environment variable UNSET is empty/],
  ])("refuses %s", (_, args, message) => {
    expect(() => databaseUrlFromArgs(args, "from", env)).toThrow(message);
  });

  it("never repeats the password in its refusal", () => {
    expect(() =>
      databaseUrlFromArgs({ url: "postgresql://u:s3cret@db/paychan" }, "to", {}),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining("s3cret") }));
  });
});

it.each([
  ["postgresql://u:s3cret@db/x", true, "postgresql://u:…@db/x"],
  ["postgresql://u@db/x", false, "postgresql://u@db/x"],
  ["file:./data/site.db", false, "file:./data/site.db"],
])("hasPassword and redactUrl: %s", (url, secret, shown) => {
  expect(hasPassword(url)).toBe(secret);
  expect(redactUrl(url)).toBe(shown);
});
