/**
 * A database URL given to a CLI: on the command line (`--from <url>`), from an environment
 * variable (`--from-env VAR`) or from a file (`--from-file path`). A password on the command line
 * is readable by every local user (`ps`, /proc/<pid>/cmdline) and lands in the shell's history, so
 * a URL that carries one is refused there.
 */
import { readFileSync } from "node:fs";

/** The three ways one URL may be given; exactly one must be. */
export interface DatabaseUrlArgs {
  url?: string;
  env?: string;
  file?: string;
}

/** Whether `url` carries a password (`scheme://user:password@host…`). */
export function hasPassword(url: string): boolean {
  try {
    return new URL(url).password !== "";
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(url);
  }
}

/** `url` with its password replaced by `…` (for log lines). */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:…@");
}

/**
 * The URL `args` name, read from the environment or a file when asked to.
 *
 * @param option the option's name without dashes, e.g. `from` (for messages)
 * @throws when none or several of the three are given, the variable or file is empty, or a URL
 *   with a password was given on the command line
 * @example
 * const from = databaseUrlFromArgs({ env: "SOURCE_URL" }, "from", process.env);
 */
export function databaseUrlFromArgs(
  args: DatabaseUrlArgs,
  option: string,
  environment: Record<string, string | undefined> = process.env,
): string {
  const given = [args.url, args.env, args.file].filter((v) => v !== undefined);
  if (given.length !== 1)
    throw new Error(
      `give exactly one of --${option} <url>, --${option}-env <VAR> or --${option}-file <path>`,
    );
  if (args.url !== undefined) {
    if (hasPassword(args.url))
      throw new Error(
        `--${option} carries a password, which every local user can read on the command line: ` +
          `pass the URL in an environment variable (${option.toUpperCase()}_URL='postgresql://…' ` +
          `npm run db:copy -- --${option}-env ${option.toUpperCase()}_URL …) or in a file ` +
          `readable by you alone (--${option}-file <path>)`,
      );
    return args.url;
  }
  if (args.env !== undefined) {
    const value = environment[args.env]?.trim();
    if (!value) throw new Error(`--${option}-env: the environment variable ${args.env} is empty`);
    return value;
  }
  const line = readFileSync(args.file!, "utf8")
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l !== "" && !l.startsWith("#"));
  if (!line) throw new Error(`--${option}-file: ${args.file} holds no URL`);
  return line;
}
