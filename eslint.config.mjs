import { builtinModules } from "node:module";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

const NODE_MESSAGE = "Browser-safe code must not use node built-ins.";
const SERVER_MESSAGE =
  "Browser-safe code (lib/protocol, lib/protocol/client, components) must not import server-only code.";
const FRAMEWORK_MESSAGE = "lib/protocol imports only viem, zod and other lib/protocol files.";

/** Application server code: database, environment, server glue (gitignore patterns). */
const serverGlue = [
  "@/lib/db",
  "@/lib/db/*",
  "**/db/**",
  "@prisma/*",
  "@/lib/env",
  "**/lib/env",
  "@/lib/chain/config",
  "@/lib/paywall",
  "@/lib/paywall/*",
  "@/lib/indexer",
  "@/lib/indexer/*",
  "@/lib/watchtower",
  "@/lib/watchtower/*",
  "@/lib/auth",
  "@/lib/auth/*",
  "@/lib/admin",
  "@/lib/admin/*",
  "@/app/*",
];

/** Native addons and server-only markers, by exact name and by subpath. */
const serverOnlyNames = ["secp256k1", "keccak", "better-sqlite3", "next/server", "server-only"];
const serverOnlySubpaths = ["secp256k1/*", "keccak/*", "better-sqlite3/*", "**/fast-verify"];

/** Frameworks the protocol core does without (components may use them). */
const frameworks = ["next", "next/*", "react", "react/*", "react-dom", "react-dom/*"];

/**
 * `no-restricted-imports` options for browser-safe files; `frameworkFree` also forbids next and
 * react (the protocol core), which then covers `next/server`.
 */
function browserSafe({ frameworkFree = false } = {}) {
  const names = frameworkFree
    ? serverOnlyNames.filter((n) => n !== "next/server")
    : serverOnlyNames;
  return {
    paths: [
      ...builtinModules.map((name) => ({ name, message: NODE_MESSAGE })),
      ...names.map((name) => ({ name, message: SERVER_MESSAGE })),
    ],
    patterns: [
      { group: ["node:*"], message: NODE_MESSAGE },
      { group: [...serverGlue, ...serverOnlySubpaths], message: SERVER_MESSAGE },
      ...(frameworkFree ? [{ group: frameworks, message: FRAMEWORK_MESSAGE }] : []),
    ],
  };
}

const config = [
  ...nextVitals,
  ...nextTs,
  {
    ignores: [
      "node_modules/**",
      ".next/**",
      ".next-*/**",
      "contracts/**",
      "lib/db/generated/**",
      "lib/chain/abi.ts",
      // Bundled from lib/browser/pay-worker.ts by next.config.mjs.
      "public/pay-worker.js",
      "next-env.d.ts",
      "data/**",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  {
    // Browser-safe code (the protocol core, the payer client, React components) never reaches
    // server-only code: node built-ins, native addons, the database, env, server glue.
    files: ["components/**/*.{ts,tsx}"],
    rules: { "no-restricted-imports": ["error", browserSafe()] },
  },
  {
    // The protocol core also stays framework-free so the browser, the CLI and the server share it.
    files: ["lib/protocol/**/*.ts"],
    ignores: ["lib/protocol/fast-verify.ts"],
    rules: { "no-restricted-imports": ["error", browserSafe({ frameworkFree: true })] },
  },
  {
    // The one server-only protocol module (native secp256k1 and keccak): still framework-free.
    files: ["lib/protocol/fast-verify.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: frameworks, message: FRAMEWORK_MESSAGE },
            { group: serverGlue, message: "lib/protocol must not depend on server glue." },
          ],
        },
      ],
    },
  },
  {
    files: ["scripts/**/*.{ts,mjs,cjs}", "tests/**/*.ts", "prisma/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
];

export default config;
