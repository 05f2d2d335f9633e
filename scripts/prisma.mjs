#!/usr/bin/env node
// Runs the Prisma CLI offline. The CLI works in its JS-engine mode (prisma.config.ts), but still
// looks for a query-engine library before generating; the generated client does not use it
// (engineType = "client"), so an empty stand-in file satisfies the check without a download.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";

const require = createRequire(import.meta.url);
const standIn = path.join(os.tmpdir(), "prisma-query-engine-stand-in.so.node");
if (!existsSync(standIn)) writeFileSync(standIn, "");
mkdirSync("data", { recursive: true });

const cli = require.resolve("prisma/build/index.js");
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: "inherit",
  env: {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? standIn,
  },
});
process.exit(result.status ?? 1);
