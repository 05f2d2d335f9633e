import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

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
      "next-env.d.ts",
      "data/**",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  {
    // The protocol core stays framework-free so the browser, the CLI and the server share it.
    files: ["lib/protocol/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "next",
                "next/*",
                "react",
                "react-dom",
                "@prisma/*",
                "@/lib/db/*",
                "**/db/**",
              ],
              message: "lib/protocol imports only viem, zod and crypto.",
            },
            {
              group: ["@/lib/paywall/*", "@/lib/indexer/*", "@/lib/watchtower/*", "@/app/*"],
              message: "lib/protocol must not depend on server glue.",
            },
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
