/**
 * The lint rule that keeps browser-safe code (lib/protocol, lib/protocol/client, components) away
 * from server-only code, run through ESLint's Node API on snippets placed at real paths, so the
 * rule cannot silently stop matching (a renamed glob, a dropped config block).
 */
import path from "node:path";
import { ESLint } from "eslint";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: ROOT });
});

/** The `no-restricted-imports` reports of `code` linted as if it were `file`, by line. */
async function restricted(file: string, code: string): Promise<number[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  const fatal = result!.messages.filter((m) => m.fatal);
  expect(fatal, "the snippet parses").toEqual([]);
  return result!.messages.filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.line);
}

/** A module importing `specifier` and using the import (so no other rule reports). */
const importing = (specifier: string) =>
  `import * as m from "${specifier}";\nexport const x = m;\n`;

const BROWSER_SAFE = ["lib/protocol/client/x.ts", "components/x.tsx", "lib/protocol/x.ts"];

describe("browser-safe code never imports server-only code", () => {
  it.each(
    BROWSER_SAFE.flatMap((file) =>
      [
        "node:fs",
        "node:fs/promises",
        "fs",
        "path",
        "crypto",
        "os",
        "child_process",
        "http",
        "@/lib/db/client",
        "@/lib/env",
        "@/lib/chain/config",
        "@/lib/paywall/with-payment",
        "@/lib/indexer/runner",
        "@/lib/watchtower/runner",
        "@/lib/auth/session",
        "@/lib/protocol/fast-verify",
        "secp256k1",
        "keccak",
        "better-sqlite3",
        "@prisma/client",
        "next/server",
        "server-only",
      ].map((specifier) => [file, specifier] as const),
    ),
  )("%s: import of %s is reported", async (file, specifier) => {
    expect(await restricted(file, importing(specifier))).toEqual([1]);
  });

  it.each([
    ["lib/protocol/client/x.ts", "../fast-verify"],
    ["lib/protocol/x.ts", "./fast-verify"],
    ["lib/protocol/client/x.ts", "../../db/client"],
  ])("%s: relative import of %s is reported", async (file, specifier) => {
    expect(await restricted(file, importing(specifier))).toEqual([1]);
  });

  it("reports a re-export of fast-verify from the protocol index", async () => {
    expect(
      await restricted(
        "lib/protocol/index.ts",
        'export * from "./eip712";\nexport * from "./fast-verify";\n',
      ),
    ).toEqual([2]);
  });

  it.each(BROWSER_SAFE)("%s: viem, zod and protocol modules are clean", async (file) => {
    const code = [
      'import { getAddress } from "viem";',
      'import { privateKeyToAccount } from "viem/accounts";',
      'import { z } from "zod";',
      'import { RDN } from "@/lib/protocol/headers";',
      'import { decodePaymentTerms } from "@/lib/protocol/terms";',
      "export const x = [getAddress, privateKeyToAccount, z, RDN, decodePaymentTerms];",
      "",
    ].join("\n");
    expect(await restricted(file, code)).toEqual([]);
  });

  it("lets components use React and Next's client modules, but not the protocol core", async () => {
    const code = [
      'import { useState } from "react";',
      'import Link from "next/link";',
      "export const x = [useState, Link];",
      "",
    ].join("\n");
    expect(await restricted("components/x.tsx", code)).toEqual([]);
    expect(await restricted("lib/protocol/client/x.ts", code)).toEqual([1, 2]);
  });

  it("leaves server code free to use node and the database", async () => {
    const code =
      'import { readFileSync } from "node:fs";\nimport { db } from "@/lib/db/client";\nexport const x = [readFileSync, db];\n';
    expect(await restricted("lib/paywall/x.ts", code)).toEqual([]);
  });

  it("keeps fast-verify.ts (server-only, native) framework-free", async () => {
    const native =
      'import secp256k1 from "secp256k1";\nimport createKeccakHash from "keccak";\nexport const x = [secp256k1, createKeccakHash];\n';
    expect(await restricted("lib/protocol/fast-verify.ts", native)).toEqual([]);
    expect(await restricted("lib/protocol/fast-verify.ts", importing("@/lib/db/client"))).toEqual([
      1,
    ]);
    expect(await restricted("lib/protocol/fast-verify.ts", importing("next/server"))).toEqual([1]);
  });
});
