/** Runs the command-line client (scripts/client.ts) as a child process, as a user would. */
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.resolve(__dirname, "../..");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `paychan args…`; the environment holds no key and no RPC_URL unless `env` gives them, and
 * the default state lives under `xdgConfigHome`.
 */
export function runCli(
  args: string[],
  xdgConfigHome: string,
  env: Record<string, string> = {},
): Promise<CliRun> {
  const base = { ...process.env };
  delete base.PAYER_PRIVATE_KEY;
  delete base.RPC_URL;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules/.bin/tsx"), ["scripts/client.ts", ...args], {
      cwd: root,
      env: { ...base, XDG_CONFIG_HOME: xdgConfigHome, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}
