/**
 * Exit codes of the command-line client, and the one error type its commands throw. Every failure
 * ends the process with one line on stderr and one of these codes, so scripts can branch on them.
 */

/** The client's exit codes. */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** Bad usage or configuration: unknown option, bad amount, bad or unsafe key file, state file. */
  usage: 1,
  /** Payment refused: over the price/deposit/budget limits, or the site's terms or proofs are unacceptable. */
  refused: 2,
  /** Network: the site or the chain RPC cannot be reached. */
  network: 3,
  /** Chain: no tokens or ETH for gas, wrong chain, a transaction failed or was not confirmed in time. */
  chain: 4,
  /** The site answered an HTTP error (after any payment). */
  http: 5,
  /** The site's relay refused to open or top up the channel (its message is printed), or offers none. */
  relay: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The table printed in `--help` and in the docs. */
export const EXIT_CODE_HELP = `Exit codes:
  0  ok
  1  usage or configuration error (bad option or amount, unsafe or invalid key file, state file)
  2  payment refused: over --max-price/--deposit/--budget, or the site's terms or proofs refused
  3  network: the site or the RPC is unreachable
  4  chain: no tokens, no ETH for gas, wrong chain, transaction failed or not confirmed in time
  5  the site answered an HTTP error status (its message goes to stderr)
  6  the site's relay refused to open or top up the channel (its message is printed), or the site
     offers no relay and --deposit-via relay was given`;

/** A failure the client reports as one line and an exit code. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
