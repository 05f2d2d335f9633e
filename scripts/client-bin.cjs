#!/usr/bin/env node
// The `paychan` command (package.json "bin"): runs scripts/client.ts with tsx, from any directory.
"use strict";
const { spawnSync } = require("node:child_process");
const path = require("node:path");

const root = path.resolve(__dirname, "..");
const res = spawnSync(
  process.execPath,
  [
    require.resolve("tsx/cli", { paths: [root] }),
    path.join(__dirname, "client.ts"),
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json") },
  },
);
if (res.error) {
  console.error(`paychan: cannot start tsx: ${res.error.message}`);
  process.exit(1);
}
process.exit(res.status ?? 1);
