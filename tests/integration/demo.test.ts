/**
 * The one-command demo: starts a local chain, deploys, migrates, seeds and serves; Ctrl-C stops
 * everything; a second run reuses the chain state; a reset chain is noticed and redeployed.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getFreePort } from "../helpers/anvil";
import { assertPortFree } from "../helpers/next-server";

const root = path.resolve(__dirname, "../..");
let dataDir: string;
let anvilPort: number;
let port: number;

interface Run {
  child: ChildProcess;
  output: () => string;
}

/** Starts the demo; its ports must still be free (the demo reuses any chain it finds). */
async function startDemo(): Promise<Run> {
  await assertPortFree(anvilPort, "the demo's anvil");
  await assertPortFree(port, "the demo's site");
  const child = spawn(
    path.join(root, "node_modules/.bin/tsx"),
    [
      "scripts/demo.ts",
      "--anvil-port",
      String(anvilPort),
      "--port",
      String(port),
      "--data-dir",
      dataDir,
    ],
    {
      cwd: root,
      env: { ...process.env, NODE_ENV: "development", NEXT_TELEMETRY_DISABLED: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function waitForOutput(run: Run, text: string, timeoutMs = 150_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.output().includes(text)) {
    if (run.child.exitCode !== null)
      throw new Error(`demo exited (${run.child.exitCode}):\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for "${text}":\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Ctrl-C: SIGINT to the demo, which must stop what it started and exit. */
async function stopDemo(run: Run): Promise<number | null> {
  run.child.kill("SIGINT");
  await new Promise<void>((resolve) =>
    run.child.exitCode !== null ? resolve() : run.child.once("exit", () => resolve()),
  );
  return run.child.exitCode;
}

async function portAnswers(p: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${p}`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), "demo-test-"));
  anvilPort = await getFreePort();
  port = await getFreePort();
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it("starts the whole site, stops on Ctrl-C, reuses state, and redeploys after a chain reset", async () => {
  const first = await startDemo();
  await waitForOutput(first, "Press Ctrl-C to stop.");
  expect(first.output()).toContain("no deployment recorded; deploying contracts");
  // The demo runs on Demo Dollar: the banner names it, prices are cents of 10^6 base units.
  expect(first.output()).toContain("(dUSD, 6 decimals)");
  expect(first.output()).toContain("mint() gives 50 dUSD per 0.1 ETH");
  const home = await fetch(`http://127.0.0.1:${port}/`);
  expect(home.status).toBe(200);
  const homeHtml = await home.text();
  expect(homeHtml).toContain("402 Payment Required, finally used");
  expect(homeHtml).toContain("$0.05");
  const article = await fetch(`http://127.0.0.1:${port}/articles/the-402-status-code`, {
    headers: { accept: "application/json" },
  });
  expect(article.status).toBe(402);
  expect(article.headers.get("RDN-Price")).toBe("50000");
  const paid = await fetch(`http://127.0.0.1:${port}/api/echo/fix/hi`);
  expect(paid.status).toBe(402);
  const deployment = JSON.parse(readFileSync(path.join(dataDir, "deployment.json"), "utf8"));
  expect(paid.headers.get("RDN-Contract-Address")).toBe(deployment.contract);

  expect(await stopDemo(first)).toBe(0);
  expect(await portAnswers(port)).toBe(false);
  expect(await portAnswers(anvilPort)).toBe(false);
  expect(existsSync(path.join(dataDir, "anvil-state.json"))).toBe(true);

  const second = await startDemo();
  await waitForOutput(second, "Press Ctrl-C to stop.");
  expect(second.output()).toContain("contracts already deployed");
  expect(await stopDemo(second)).toBe(0);

  rmSync(path.join(dataDir, "anvil-state.json"));
  const third = await startDemo();
  await waitForOutput(third, "Press Ctrl-C to stop.");
  expect(third.output()).toContain("the chain was reset");
  // The old deployment's proofs are backed up and archived, not deleted, and the site serves the
  // new deployment instead of refusing the database.
  expect(third.output()).toMatch(/backed up every stored proof to .*backups/);
  expect(third.output()).toMatch(/archived \d+ channel proofs?/);
  const redeployed = JSON.parse(readFileSync(path.join(dataDir, "deployment.json"), "utf8"));
  const after = await fetch(`http://127.0.0.1:${port}/api/echo/fix/hi`);
  expect(after.status).toBe(402);
  expect(after.headers.get("RDN-Contract-Address")).toBe(redeployed.contract);
  expect(await stopDemo(third)).toBe(0);
}, 600_000);
