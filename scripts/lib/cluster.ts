/**
 * Several `next start` instances of one production build, sharing one database, with nginx in
 * front: the demo, the benchmarks and the tests run the site the way it is deployed on more than
 * one process. Every instance runs in its own process group on a free port of 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { getFreePort } from "./anvil";
import { assertPortFree, startNginx, type NginxServer } from "./nginx";
import { isDead, signalGroup, trackChild } from "./process-group";

const root = path.resolve(__dirname, "../..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");

export interface Instance {
  /** 1-based; also the instance's PAYCHAN_INSTANCE. */
  index: number;
  port: number;
  url: string;
  /** The current process (a new one after restart()). */
  pid: number;
  /** The last 64 KB the instance printed. */
  output(): string;
  /** Sends `signal` to the instance's process group (SIGKILL: it dies without shutting down). */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the instance if it runs and starts it again on the same port. */
  restart(): Promise<void>;
}

export interface InstancesOptions {
  count: number;
  /** Environment of every instance, over this process's (DATABASE_URL, RPC_URL, secrets…). */
  env: Record<string, string | undefined>;
  /** The build to serve (default NEXT_DIST_DIR, else `.next`). */
  distDir?: string;
  /** Extra arguments to node (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Each line the instances print, prefixed `[appN]`; omit to keep it in memory only. */
  out?: (line: string) => void;
  log?: (line: string) => void;
  startupTimeoutMs?: number;
}

export interface Instances {
  instances: Instance[];
  /** Stops every instance (SIGTERM, SIGKILL after 5 s) and waits for them to exit. */
  stop(): Promise<void>;
}

/** Waits for `child` to exit, escalating to SIGKILL after `graceMs`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs = 5000) {
  if (isDead(child)) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child, signal);
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
  // Anything the instance started in its group goes with it.
  signalGroup(child, "SIGKILL");
}

/** Starts `count` instances of the production build; resolves once each one serves `/`. */
export async function startInstances(opts: InstancesOptions): Promise<Instances> {
  const log = opts.log ?? console.log;
  const distDir = opts.distDir ?? process.env.NEXT_DIST_DIR ?? ".next";
  if (!existsSync(path.join(root, distDir, "BUILD_ID")))
    throw new Error(`no production build in ${distDir}/: run \`next build\` first`);

  const launch = async (index: number, port: number) => {
    const child = spawn(
      process.execPath,
      [...(opts.nodeArgs ?? []), nextBin, "start", "-H", "127.0.0.1", "-p", String(port)],
      {
        cwd: root,
        env: {
          ...process.env,
          NEXT_TELEMETRY_DISABLED: "1",
          ...opts.env,
          NODE_ENV: "production",
          NEXT_DIST_DIR: distDir,
          PAYCHAN_INSTANCE: String(index),
        },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    void trackChild(child);
    let output = "";
    let partial = "";
    const onData = (d: Buffer) => {
      output = (output + d.toString()).slice(-65_536);
      if (!opts.out) return;
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop()!;
      for (const line of lines) opts.out(`[app${index}] ${line}`);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    const url = `http://127.0.0.1:${port}`;
    // Ready: Next printed that it listens, still runs, and serves the home page (which reads the
    // database). An answer before the "Ready" line could come from another server.
    const deadline = Date.now() + (opts.startupTimeoutMs ?? 120_000);
    for (;;) {
      if (isDead(child))
        throw new Error(`instance ${index} (next start on ${url}) exited:\n${output}`);
      if (/Ready in/.test(output)) {
        try {
          const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(30_000) });
          await res.arrayBuffer();
          if (res.ok && !isDead(child)) break;
        } catch {
          // not answering yet
        }
      }
      if (Date.now() > deadline) {
        await stopChild(child, "SIGKILL");
        throw new Error(`instance ${index} on ${url} did not serve in time:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return { child, output: () => output };
  };

  const ports = await Promise.all(Array.from({ length: opts.count }, () => getFreePort()));
  log(
    `starting ${opts.count} instance(s) of the build in ${distDir} on ports ${ports.join(", ")}…`,
  );
  const started = await Promise.allSettled(ports.map((port, i) => launch(i + 1, port)));
  const failed = started.find((s) => s.status === "rejected");
  if (failed) {
    await Promise.all(
      started.map((s) => (s.status === "fulfilled" ? stopChild(s.value.child, "SIGKILL") : null)),
    );
    throw (failed as PromiseRejectedResult).reason;
  }
  const instances: Instance[] = [];
  const procs = started.map(
    (s) => (s as PromiseFulfilledResult<Awaited<ReturnType<typeof launch>>>).value,
  );
  ports.forEach((port, i) => {
    const instance: Instance = {
      index: i + 1,
      port,
      url: `http://127.0.0.1:${port}`,
      pid: procs[i]!.child.pid!,
      output: () => procs[i]!.output(),
      async kill(signal = "SIGKILL") {
        const child = procs[i]!.child;
        if (isDead(child)) return;
        if (signal === "SIGKILL" || signal === "SIGTERM") await stopChild(child, signal);
        else signalGroup(child, signal);
      },
      async restart() {
        await stopChild(procs[i]!.child, "SIGTERM");
        procs[i] = await launch(i + 1, port);
        instance.pid = procs[i]!.child.pid!;
      },
    };
    instances.push(instance);
  });
  log(`${opts.count} instance(s) serving`);
  return {
    instances,
    async stop() {
      await Promise.all(procs.map((p) => stopChild(p.child, "SIGTERM")));
    },
  };
}

export interface ClusterOptions extends InstancesOptions {
  /** Port of nginx (default: a free one). */
  nginxPort?: number;
}

export interface Cluster {
  /** The site as clients see it: nginx. */
  url: string;
  instances: Instance[];
  nginx: NginxServer;
  /** Stops nginx, then every instance. */
  stop(): Promise<void>;
}

/**
 * `count` instances with nginx in front. SITE_URL defaults to nginx's URL, the address clients
 * use (sign-in checks the domain against it).
 */
export async function startCluster(opts: ClusterOptions): Promise<Cluster> {
  const log = opts.log ?? console.log;
  // A taken port fails before any instance starts.
  if (opts.nginxPort !== undefined) await assertPortFree(opts.nginxPort);
  const nginxPort = opts.nginxPort ?? (await getFreePort());
  const url = `http://127.0.0.1:${nginxPort}`;
  const group = await startInstances({ ...opts, env: { SITE_URL: url, ...opts.env } });
  let nginx: NginxServer;
  try {
    nginx = await startNginx({
      port: nginxPort,
      upstreams: group.instances.map((i) => `127.0.0.1:${i.port}`),
      log,
    });
  } catch (err) {
    await group.stop();
    throw err;
  }
  return {
    url,
    instances: group.instances,
    nginx,
    async stop() {
      await nginx.stop();
      await group.stop();
    },
  };
}
