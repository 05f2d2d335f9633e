import path from "node:path";
import { defineConfig } from "vitest/config";

// The integration suite against PostgreSQL: every fixture gets a fresh database on one server
// started by the global setup (tests/helpers/test-database.ts).
export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname) } },
  test: {
    environment: "node",
    include: ["tests/integration/**/*.test.ts"],
    // PostgreSQL-only suites start their own server and run once, in the SQLite pass.
    exclude: ["tests/integration/cluster/**", "tests/integration/db/**"],
    env: { TEST_DATABASE: "postgres" },
    globalSetup: ["tests/global-setup-postgres.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // As in vitest.config.ts: one file at a time on a small machine.
    fileParallelism: false,
  },
});
