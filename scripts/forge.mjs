#!/usr/bin/env node
// Runs the real forge binary (not the npm wrapper, which always exits 0) inside contracts/,
// forwarding arguments and stdio, and exits with forge's own exit code.
// Usage: node scripts/forge.mjs <forge args>   e.g. node scripts/forge.mjs test -vvv
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(path.join(root, "package.json"));

function locateForge() {
  const platformPackage = `@foundry-rs/forge-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  const candidates = [];
  for (const pkg of [platformPackage, "@foundry-rs/forge-linux-amd64"]) {
    try {
      candidates.push(
        path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", "forge"),
      );
    } catch {
      // package not resolvable from here: fall back to the plain node_modules path below
    }
    candidates.push(path.join(root, "node_modules", pkg, "bin", "forge"));
  }
  if (process.env.FORGE_BIN) candidates.unshift(process.env.FORGE_BIN);
  return candidates.find((file) => existsSync(file));
}

const forge = locateForge();
if (!forge) {
  console.error(
    "forge binary not found: run `npm install` (it arrives as @foundry-rs/forge-linux-amd64)",
  );
  process.exit(127);
}

const result = spawnSync(forge, process.argv.slice(2), {
  cwd: path.join(root, "contracts"),
  stdio: "inherit",
});
if (result.error) {
  console.error(result.error.message);
  process.exit(127);
}
process.exit(result.status ?? (result.signal ? 128 : 1));
