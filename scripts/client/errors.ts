/**
 * Maps every failure to one line and an exit code: the payer's errors by their code, viem's RPC
 * and transaction errors, and the client's own.
 */
import { BaseError, HttpRequestError, TimeoutError } from "viem";
import { PayerError, type PayerErrorCode } from "@/lib/protocol/client/errors";
import { formatTokens } from "./amounts";
import { CliError, EXIT, type ExitCode } from "./exit-codes";

const PAYER_EXIT: Record<PayerErrorCode, ExitCode> = {
  "over-policy": EXIT.refused,
  "foreign-contract": EXIT.refused,
  "tampered-proof": EXIT.refused,
  "payment-refused": EXIT.refused,
  "paid-not-served": EXIT.refused,
  "bad-terms": EXIT.refused,
  "site-unreachable": EXIT.network,
  "wrong-chain": EXIT.chain,
  "no-tokens": EXIT.chain,
  "no-eth": EXIT.chain,
  "confirmations-timeout": EXIT.chain,
  "transaction-failed": EXIT.chain,
  "challenge-period": EXIT.chain,
  "bad-channel-state": EXIT.usage,
  "no-signer": EXIT.usage,
  "bad-store": EXIT.usage,
  "recovery-failed": EXIT.chain,
  "relay-unavailable": EXIT.relay,
  "relay-refused": EXIT.relay,
  "relay-mismatch": EXIT.refused,
};

/** The policy and token-balance refusals in tokens rather than base units, for people. */
function inTokens(err: PayerError): string | undefined {
  const d = (err.details ?? {}) as Record<string, unknown>;
  const big = (k: string) => (typeof d[k] === "bigint" ? (d[k] as bigint) : undefined);
  const [price, spent, balance, needed] = [
    big("price"),
    big("spent"),
    big("balance"),
    big("needed"),
  ];
  if (err.code === "over-policy" && price !== undefined) {
    if (big("maxPrice") !== undefined)
      return `the price ${formatTokens(price)} is above --max-price ${formatTokens(big("maxPrice")!)}; nothing was paid`;
    if (big("maxDeposit") !== undefined)
      return `the price ${formatTokens(price)} is above --deposit ${formatTokens(big("maxDeposit")!)}; nothing was paid`;
    if (big("budget") !== undefined)
      return `paying ${formatTokens(price)} would exceed --budget ${formatTokens(big("budget")!)} (${formatTokens(spent ?? 0n)} spent); nothing was paid`;
  }
  const charge = big("charge");
  if (err.code === "over-policy" && charge !== undefined) {
    if (big("maxPrice") !== undefined)
      return `signing ${formatTokens(charge)} more would bring this request to ${formatTokens((big("request") ?? 0n) + charge)}, above --max-price ${formatTokens(big("maxPrice")!)}; nothing more was signed`;
    if (big("budget") !== undefined)
      return `signing ${formatTokens(charge)} more would exceed --budget ${formatTokens(big("budget")!)} (${formatTokens(spent ?? 0n)} signed); nothing more was signed`;
  }
  if (err.code === "no-tokens" && balance !== undefined && needed !== undefined)
    return `the payer holds ${formatTokens(balance)}, the deposit needs ${formatTokens(needed)}`;
  const minDeposit = big("minDeposit");
  if (err.code === "over-policy" && minDeposit !== undefined)
    return `the site's relay takes ${d.what === "top-up" ? "top-ups" : "deposits"} of at least ${formatTokens(minDeposit)}, more than this command may deposit; allow it with --deposit ${formatTokens(minDeposit).split(" ")[0]} (or pay the gas yourself); nothing was signed`;
  if (err.code === "no-eth" && d.relayOffered === true)
    return `${firstLine(err.message)} Run without --deposit-via self to let the site open it.`;
  return undefined;
}

/** The first line of a message (viem's carry several lines of details). */
function firstLine(message: string): string {
  return message.split("\n")[0]!.trim();
}

/** Turns anything thrown by a command into the line to print and the exit code. */
export function describeFailure(err: unknown): { message: string; exitCode: ExitCode } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof PayerError) {
    const message = inTokens(err) ?? firstLine(err.message);
    return { message: `${err.code}: ${message}`, exitCode: PAYER_EXIT[err.code] };
  }
  if (err instanceof BaseError) {
    const network = err.walk((e) => e instanceof HttpRequestError || e instanceof TimeoutError);
    if (network) {
      return {
        message: `the RPC is unreachable: ${firstLine(err.shortMessage)}`,
        exitCode: EXIT.network,
      };
    }
    return { message: `chain error: ${firstLine(err.shortMessage)}`, exitCode: EXIT.chain };
  }
  if (err instanceof Error) return { message: firstLine(err.message), exitCode: EXIT.usage };
  return { message: String(err), exitCode: EXIT.usage };
}
