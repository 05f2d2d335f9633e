import path from "node:path";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

// The Prisma CLI runs in its JS-engine mode through the better-sqlite3 adapter, so migrations
// need no downloaded schema-engine binary.
const url = process.env.DATABASE_URL ?? "file:./data/site.db";

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  engine: "js",
  experimental: { adapter: true },
  async adapter() {
    return new PrismaBetterSQLite3({ url });
  },
} as Parameters<typeof defineConfig>[0]);
