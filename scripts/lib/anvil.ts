import { spawn, type ChildProcess } from "node:child_process";
import { foundryBin } from "./foundry-bin";
import { probeChainId, waitFor } from "./rpc";

export interface AnvilOptions {
  host?: string;
  port: number;
  /** Seconds between blocks; omitted = a block per transaction. */
  blockTime?: number;
  /** File the chain state is loaded from at start and dumped to periodically and on exit. */
  stateFile?: string;
  stateIntervalSeconds?: number;
  /** Extra command-line arguments. */
  args?: string[];
  /** Forward anvil's output to this process's stdout. */
  verbose?: boolean;
}

export interface AnvilProcess {
  rpcUrl: string;
  port: number;
  child: ChildProcess;
  /** Stops anvil gracefully (SIGINT makes it dump its state file) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the npm-packaged anvil and resolves once it answers JSON-RPC. */
export async function startAnvil(opts: AnvilOptions): Promise<AnvilProcess> {
  const host = opts.host ?? "127.0.0.1";
  const args = ["--host", host, "--port", String(opts.port)];
  if (opts.blockTime) args.push("--block-time", String(opts.blockTime));
  if (opts.stateFile) {
    args.push("--state", opts.stateFile, "--state-interval", String(opts.stateIntervalSeconds ?? 5));
  }
  if (!opts.verbose) args.push("--silent");
  args.push(...(opts.args ?? []));
  const child = spawn(foundryBin("anvil"), args, {
    stdio: opts.verbose ? ["ignore", "inherit", "inherit"] : ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const rpcUrl = `http://${host}:${opts.port}`;
  try {
    await waitFor(
      `anvil on ${rpcUrl}`,
      async () => {
        if (child.exitCode !== null) throw new Error(`anvil exited (${child.exitCode}): ${stderr.trim()}`);
        return (await probeChainId(rpcUrl, 500)) !== undefined;
      },
      30_000,
    );
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    rpcUrl,
    port: opts.port,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
