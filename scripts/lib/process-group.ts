/**
 * Child processes started in their own process group (`detached: true`), as the demo, the
 * benchmarks and the tests start servers: a signal reaches every process a server starts, and
 * whatever is still running when this process exits is killed with it.
 */
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Sends `signal` to the child's process group (the child alone if it has none). */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Whether the child has exited. */
export const isDead = (child: ChildProcess): boolean =>
  child.exitCode !== null || child.signalCode !== null;

/**
 * Kills the child's group with SIGKILL if it still runs when this process exits.
 *
 * @returns a promise of the child's exit
 */
export function trackChild(child: ChildProcess): Promise<void> {
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", () => {
      for (const c of running) signalGroup(c, "SIGKILL");
    });
  }
  return new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
}
