import { defineConfig } from "@playwright/test";

// Workers (TEST_WORKER_INDEX is set there) must have inherited the URL: never fall back to a guess.
if (process.env.TEST_WORKER_INDEX !== undefined && !process.env.E2E_BASE_URL) {
  throw new Error("E2E_BASE_URL is not set in the test worker: global setup did not publish it");
}

export default defineConfig({
  testDir: "tests/e2e",
  timeout: 60_000,
  fullyParallel: false,
  // A wallet test that fails is run once more and, if it passes then, reported as "flaky" in the
  // summary (seen rarely on a loaded machine: RainbowKit's connect button re-mounting under load).
  retries: 1,
  workers: 1,
  reporter: [["list"]],
  // Starts the site on a free port (or E2E_PORT, refused when taken) and sets E2E_BASE_URL.
  globalSetup: "./tests/e2e/global-setup.ts",
  use: {
    // This file is evaluated again in each worker, which starts after global setup and inherits
    // the URL it chose. Unset here only in the runner, which opens no pages.
    baseURL: process.env.E2E_BASE_URL,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
});
