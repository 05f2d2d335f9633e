import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { foundryBin } from "./foundry-bin";
import { probeChainId, waitFor } from "./rpc";

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      if (address === null || typeof address === "string") {
        server.close();
        reject(new Error("getFreePort: no port assigned"));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

export interface AnvilOptions {
  host?: string;
  /** Port to listen on; a free one when omitted. */
  port?: number;
  /** Seconds between blocks; omitted = a block per transaction. */
  blockTime?: number;
  /** File the chain state is loaded from at start and dumped to periodically and on exit. */
  stateFile?: string;
  stateIntervalSeconds?: number;
  /** Extra command-line arguments. */
  args?: string[];
  /** Forward anvil's output to this process's stdout. */
  verbose?: boolean;
  startupTimeoutMs?: number;
}

export interface AnvilProcess {
  rpcUrl: string;
  port: number;
  child: ChildProcess;
  /** Stops anvil gracefully (SIGINT makes it dump its state file) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the npm-packaged anvil and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: AnvilOptions = {}): Promise<AnvilProcess> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? (await getFreePort());
  const args = ["--host", host, "--port", String(port)];
  if (opts.blockTime) args.push("--block-time", String(opts.blockTime));
  if (opts.stateFile) {
    args.push(
      "--state",
      opts.stateFile,
      "--state-interval",
      String(opts.stateIntervalSeconds ?? 5),
    );
  }
  if (!opts.verbose) args.push("--silent");
  args.push(...(opts.args ?? []));
  const child = spawn(process.env.ANVIL_BIN ?? foundryBin("anvil"), args, {
    stdio: opts.verbose ? ["ignore", "inherit", "inherit"] : ["ignore", "ignore", "pipe"],
  });
  running.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Last resort when a process dies without calling stop(): never leave anvils behind.
    process.on("exit", () => {
      for (const c of running) c.kill("SIGKILL");
    });
  }
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) =>
    child.once("exit", () => {
      running.delete(child);
      resolve();
    }),
  );
  child.once("error", () => {}); // a spawn failure shows up as an early exit below
  const rpcUrl = `http://${host}:${port}`;
  try {
    await waitFor(
      `anvil on ${rpcUrl}`,
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `anvil exited during startup (${args.join(" ")}): ${stderr.trim() || "no output"}`,
          );
        }
        return (await probeChainId(rpcUrl, 500)) !== undefined;
      },
      opts.startupTimeoutMs ?? 30_000,
      100,
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    rpcUrl,
    port,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
