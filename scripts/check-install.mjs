#!/usr/bin/env node
// Checks that `npm install` stays quiet, in two parts, and exits non-zero when either fails:
// - install scripts: every dependency with an install script has an entry in package.json's
//   `allowScripts` (true: it runs, false: it never runs). npm 11 runs unlisted scripts with a
//   warning; later releases skip them, which would leave a native addon or a binary missing.
// - warnings: a dry run of the install (the same dependency resolution as a fresh clone, nothing
//   written, no script run) prints no `npm warn` line, e.g. an ERESOLVE peer-dependency override.
// Usage: node scripts/check-install.mjs   (after `npm install`; it reads node_modules)
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs npm in the project root and returns its exit status and output. */
function npm(args) {
  const result = spawnSync("npm", args, { cwd: root, encoding: "utf8" });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Packages whose install scripts are neither allowed nor denied in `allowScripts`. */
function unreviewedInstallScripts() {
  const { status, stdout, stderr } = npm(["install-scripts", "ls", "--json"]);
  if (status !== 0) throw new Error(`npm install-scripts ls failed:\n${stdout}${stderr}`);
  const { allowScripts = [] } = JSON.parse(stdout);
  return allowScripts.flatMap(({ name, changes = [] }) =>
    changes.filter((c) => c.change === "pending").map((c) => c.key ?? name),
  );
}

/** The output of a dry run of the install when it prints an `npm warn` or `npm error` line. */
function installWarnings() {
  const { status, stdout, stderr } = npm([
    "install",
    "--dry-run",
    "--ignore-scripts",
    "--no-audit",
    "--no-fund",
    "--loglevel=notice",
  ]);
  const lines = `${stderr}\n${stdout}`.split("\n").filter((line) => line.trim() !== "");
  const warned = lines.some((line) => /^npm (warn|error)\b/.test(line));
  if (warned) return lines; // with the dry run's own report: what it would add or change
  return status === 0 ? [] : [`npm install --dry-run exited ${status}`, ...lines];
}

const checks = [
  {
    name: "install scripts reviewed",
    run: unreviewedInstallScripts,
    advice:
      "Review each script (`npm install-scripts ls` shows them), then `npm install-scripts approve <pkg>` (it must run: a native addon " +
      "or a binary the project uses) or `npm install-scripts deny <pkg>` (it has a fallback or is " +
      "not needed), and note why in docs/operations.md (Installing).",
  },
  {
    name: "npm install prints no warning",
    run: installWarnings,
    advice:
      "Fix the cause (a newer release inside the pinned range, or an `overrides` entry for a " +
      "package shown to work), do not hide it with a log level.",
  },
];

let passed = 0;
let failed = 0;
for (const { name, run, advice } of checks) {
  let problems;
  try {
    problems = run();
  } catch (err) {
    problems = [err instanceof Error ? err.message : String(err)];
  }
  if (problems.length === 0) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failed += 1;
    console.log(`FAIL ${name}:`);
    for (const problem of problems) console.log(`       ${problem}`);
    console.log(`     ${advice}`);
  }
}
console.log(`install checks: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
