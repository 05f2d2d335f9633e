#!/usr/bin/env node
// A stand-in for a native `solc` binary, built on the npm `solc` package (solcjs), so that forge
// never has to download a compiler (the machine is offline). forge calls it as
//   solc --version                      -> must print "Version: <semver>" as the last line
//   solc --standard-json [paths...]     -> Standard JSON on stdin, Standard JSON on stdout
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const solc = require("solc");

const args = process.argv.slice(2);

if (args.includes("--version") || args.includes("-v")) {
  process.stdout.write(
    `solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`,
  );
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write("scripts/solc.cjs supports only --version and --standard-json\n");
  process.exit(1);
}

/** Directories that imports are resolved against: cwd, then --base-path, --include-path, --allow-paths. */
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  if (flag === "--base-path" || flag === "--include-path" || flag === "--allow-paths") {
    const value = args[++i];
    if (value) for (const p of value.split(",")) if (p) roots.push(path.resolve(p));
  } else if (/^--(base-path|include-path|allow-paths)=/.test(flag)) {
    for (const p of flag.slice(flag.indexOf("=") + 1).split(","))
      if (p) roots.push(path.resolve(p));
  }
}

function findImports(importPath) {
  const candidates = path.isAbsolute(importPath)
    ? [importPath]
    : roots.map((root) => path.join(root, importPath));
  for (const file of candidates) {
    try {
      if (fs.statSync(file).isFile()) return { contents: fs.readFileSync(file, "utf8") };
    } catch {
      // not under this root: try the next one
    }
  }
  return { error: `File not found: ${importPath}` };
}

const input = fs.readFileSync(0, "utf8");
const output = solc.compile(input, { import: findImports });
process.stdout.write(output);
