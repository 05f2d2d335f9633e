#!/usr/bin/env node
// Runs the Prisma CLI offline, for SQLite and PostgreSQL.
// - The CLI works in its JS-engine mode (prisma.config.ts), but still looks for a query-engine
//   library before generating; the generated clients do not use it (engineType = "client"), so an
//   empty stand-in file satisfies the check without a download.
// - prisma/schema.prisma is the one schema. Its PostgreSQL copy (prisma/postgres/schema.prisma,
//   the provider and output changed) is written here before every command, and `generate` builds
//   both clients: lib/db/generated (SQLite) and lib/db/generated-pg (PostgreSQL).
// - `migrate deploy` with a postgres:// DATABASE_URL applies prisma/migrations-postgres with
//   scripts/lib/migrate-postgres.mjs (see there why).
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const standIn = path.join(os.tmpdir(), "prisma-query-engine-stand-in.so.node");
if (!existsSync(standIn)) writeFileSync(standIn, "");
mkdirSync(path.join(root, "data"), { recursive: true });

export const PG_SCHEMA = path.join(root, "prisma", "postgres", "schema.prisma");

/** The PostgreSQL copy of the schema: the same models, another provider and client directory. */
export function postgresSchema(sqliteSchema) {
  const out = sqliteSchema
    .replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
    .replace('output     = "../lib/db/generated"', 'output     = "../../lib/db/generated-pg"');
  if (!out.includes('"postgresql"') || !out.includes("generated-pg"))
    throw new Error("prisma/schema.prisma: datasource provider or generator output not found");
  return `// Generated from prisma/schema.prisma by scripts/prisma.mjs: do not edit.\n${out}`;
}

function writePostgresSchema() {
  const text = postgresSchema(readFileSync(path.join(root, "prisma", "schema.prisma"), "utf8"));
  const current = existsSync(PG_SCHEMA) ? readFileSync(PG_SCHEMA, "utf8") : "";
  if (current !== text) {
    mkdirSync(path.dirname(PG_SCHEMA), { recursive: true });
    writeFileSync(PG_SCHEMA, text);
  }
}

function prisma(args) {
  const cli = require.resolve("prisma/build/index.js");
  const result = spawnSync(process.execPath, [cli, ...args], {
    stdio: "inherit",
    cwd: root,
    env: {
      ...process.env,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      PRISMA_QUERY_ENGINE_LIBRARY: process.env.PRISMA_QUERY_ENGINE_LIBRARY ?? standIn,
    },
  });
  return result.status ?? 1;
}

async function main(args) {
  writePostgresSchema();
  const url = process.env.DATABASE_URL ?? "";
  if (args[0] === "migrate" && args[1] === "deploy" && /^postgres(ql)?:/.test(url)) {
    const { migratePostgres } = await import("./lib/migrate-postgres.mjs");
    await migratePostgres(url, path.join(root, "prisma", "migrations-postgres"));
    return 0;
  }
  if (args[0] === "generate" && !args.includes("--schema")) {
    const status = prisma(args);
    return status !== 0 ? status : prisma([...args, "--schema", PG_SCHEMA]);
  }
  return prisma(args);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
