/**
 * One indexer + watchtower pass at a time per process, even when the module is loaded twice (Next
 * bundles the route handlers and instrumentation.ts separately, each with its own copy of the
 * module): the flag lives on globalThis, as the other per-process singletons do.
 */
import { afterEach, expect, it, vi } from "vitest";

const calls = vi.hoisted(() => ({
  log: [] as string[],
  release: [] as (() => void)[],
}));

vi.mock("@/lib/indexer/sync", () => ({
  syncOnce: async () => {
    const n = calls.log.filter((l) => l.endsWith("start")).length;
    calls.log.push(`sync ${n} start`);
    await new Promise<void>((resolve) => calls.release.push(resolve));
    calls.log.push(`sync ${n} end`);
    return { syncedBlock: 0, headBlock: 0, events: 0 };
  },
}));
vi.mock("@/lib/watchtower/run-watchtower", () => ({ runWatchtower: async () => [] }));

afterEach(() => {
  calls.log.length = 0;
  calls.release.length = 0;
});

const tick = () => new Promise((r) => setTimeout(r, 20));

it("two copies of run-sync-pass run their passes one after the other", async () => {
  const first = await import("@/lib/indexer/run-sync-pass");
  vi.resetModules();
  const second = await import("@/lib/indexer/run-sync-pass");
  expect(second.runSyncPass).not.toBe(first.runSyncPass); // really two copies

  const a = first.runSyncPass();
  const b = second.runSyncPass();
  await tick();
  expect(calls.log).toEqual(["sync 0 start"]);
  calls.release.shift()!();
  await a;
  await tick();
  expect(calls.log).toEqual(["sync 0 start", "sync 0 end", "sync 1 start"]);
  calls.release.shift()!();
  await b;
  expect(calls.log).toEqual(["sync 0 start", "sync 0 end", "sync 1 start", "sync 1 end"]);
});
