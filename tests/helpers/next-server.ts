/**
 * Starts the production build (`next start`) for tests on a port that is provably its own: a free
 * one chosen here, or an explicit one that is checked first and refused at once when taken. A test
 * must never pass or fail against some other server that happens to listen on the same port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { getFreePort } from "../../scripts/lib/anvil";
import { isDead, signalGroup, trackChild } from "../../scripts/lib/process-group";

const root = path.resolve(__dirname, "../..");

/** Thrown when an explicitly requested port is already in use. */
export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
  constructor(
    readonly port: number,
    what: string,
  ) {
    super(
      `port ${port} (${what}) is already in use on 127.0.0.1: another server listens there, and ` +
        `tests would talk to it instead of their own. Stop it, or choose another port.`,
    );
  }
}

/** Resolves when `port` can be bound on `host` right now; throws {@link PortInUseError} otherwise. */
export function assertPortFree(
  port: number,
  what = "requested",
  host = "127.0.0.1",
): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      reject(
        err.code === "EADDRINUSE" || err.code === "EACCES" ? new PortInUseError(port, what) : err,
      ),
    );
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port from an environment variable (validated), or undefined when it is unset or empty. */
export function explicitPort(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${name} must be a TCP port between 1 and 65535, got "${raw}"`);
  }
  return port;
}

export interface NextServerOptions {
  /**
   * Environment of the server (merged over this process's environment). SITE_URL defaults to the
   * server's own URL.
   */
  env: Record<string, string | undefined>;
  /** Port to serve on; it must be free. A free port is chosen when omitted. */
  port?: number;
  /** Names the port's source in error messages, e.g. "E2E_PORT". */
  portName?: string;
  /** Address to listen on (default 127.0.0.1); a loopback one such as 127.0.0.2 with a port. */
  host?: string;
  startupTimeoutMs?: number;
}

export interface NextServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** Kills the server's whole process group at once (no shutdown handlers run). */
  kill(): Promise<void>;
  /** Stops the server gracefully (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

async function startOnce(
  port: number,
  opts: NextServerOptions,
): Promise<NextServer | { portTaken: true; output: string }> {
  const host = opts.host ?? "127.0.0.1";
  const url = `http://${host}:${port}`;
  const child = spawn(
    path.join(root, "node_modules/.bin/next"),
    ["start", "-H", host, "-p", String(port)],
    {
      cwd: root,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: "1",
        SITE_URL: url,
        ...opts.env,
        NODE_ENV: "production",
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group: kill() reaches every process the server starts.
      detached: true,
    },
  );
  const exited = trackChild(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const dead = () => isDead(child);
  const server: NextServer = {
    url,
    port,
    child,
    output: () => output,
    async kill() {
      if (dead()) return;
      signalGroup(child, "SIGKILL");
      await exited;
    },
    async stop() {
      if (dead()) return;
      signalGroup(child, "SIGTERM");
      const timer = setTimeout(() => signalGroup(child, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };

  // Ready means: Next printed that it listens (it exits at once when it cannot bind), it is still
  // running, and the site answers. Answers before the "Ready" line could come from another server.
  const deadline = Date.now() + (opts.startupTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (dead()) {
      if (/EADDRINUSE/.test(output)) return { portTaken: true, output };
      throw new Error(`next start exited (${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (/Ready in/.test(output)) {
      try {
        const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (res.ok && !dead()) return server;
      } catch {
        // not answering yet
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await server.kill();
  throw new Error(`next start on ${url} did not become ready in time:\n${output}`);
}

/**
 * Starts `next start` (the build in NEXT_DIST_DIR, default `.next`) and resolves once it serves.
 * With an explicit port, fails at once when the port is taken; without one, picks a free port
 * (and another one if it was taken in the meantime).
 */
export async function startNextServer(opts: NextServerOptions): Promise<NextServer> {
  if (opts.port !== undefined) {
    const what = opts.portName ?? "requested";
    await assertPortFree(opts.port, what, opts.host);
    const res = await startOnce(opts.port, opts);
    if ("portTaken" in res) throw new PortInUseError(opts.port, what);
    return res;
  }
  for (let attempt = 1; ; attempt++) {
    const res = await startOnce(await getFreePort(), opts);
    if (!("portTaken" in res)) return res;
    if (attempt >= 3) throw new Error(`next start found no free port:\n${res.output}`);
  }
}
