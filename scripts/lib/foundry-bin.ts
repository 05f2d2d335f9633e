import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

// Resolved from the working directory (the repository root) so this works under any loader.
const require = createRequire(path.join(process.cwd(), "package.json"));

/**
 * Path of a Foundry binary shipped by the npm packages. The npm wrappers (`forge`, `anvil` in
 * node_modules/.bin) always exit 0, so scripts call the platform binary directly.
 */
export function foundryBin(tool: "forge" | "anvil"): string {
  const pkg = `@foundry-rs/${tool}-linux-amd64`;
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    dir = path.resolve("node_modules", pkg);
  }
  const bin = path.join(dir, "bin", tool);
  if (!existsSync(bin)) {
    throw new Error(`${tool} binary not found at ${bin}: run \`npm install\` (package ${pkg})`);
  }
  return bin;
}
