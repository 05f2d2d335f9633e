import { writeFile } from "node:fs/promises";
import { wrapFetchWithPayment, x402Client } from "@x402/fetch";
import { rdnChannel, type Payer } from "@/lib/protocol/client";
import { isPayerError } from "@/lib/protocol/client/errors";
import type { SpendingPolicy } from "@/lib/protocol/client/types";
import type { Address } from "viem";
import { decodePaymentTerms } from "@/lib/protocol/terms";
import { parseTokenAmount, adoptTokenUnits } from "../amounts";
import { connectChain, type GlobalOptions } from "../config";
import { CliError, EXIT } from "../exit-codes";
import { parseDepositVia, setupPayer } from "../payer";
import { parseSiteUrl } from "../site";

export interface GetOptions {
  output?: string;
  maxPrice?: string;
  deposit?: string;
  budget?: string;
  /** How a channel is opened or topped up: auto (default), relay or self. */
  depositVia?: string;
  /** How the site is paid: rdn, x402 or auto (default: rdn headers). */
  protocol?: string;
  quiet?: boolean;
}

/** The values of `--protocol`. */
export const PROTOCOLS = ["auto", "rdn", "x402"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * Reads `--protocol` (default auto, which pays with the RDN-* headers).
 *
 * @throws {@link CliError} (exit 1) for another value
 */
export function parseProtocol(value: string | undefined): Protocol {
  if (value === undefined) return "auto";
  if ((PROTOCOLS as readonly string[]).includes(value)) return value as Protocol;
  throw new CliError(`--protocol: "${value}" is not one of ${PROTOCOLS.join(", ")}`, EXIT.usage);
}

/**
 * A fetch that pays the site's x402 offer (`PAYMENT-REQUIRED`, scheme `rdn-channel`) with the
 * payer's channels through @x402/fetch. The payer's limits (`--max-price`, `--budget`,
 * `--deposit`) are the spending controls: the x402 client's own are off. A payer error (limits,
 * foreign receiver) is rethrown as it is, so it keeps its exit code.
 */
function x402Fetch(payer: Payer): typeof fetch {
  let failure: unknown;
  const client = new x402Client()
    .register("eip155:*", rdnChannel(payer))
    .setSpendControls(false)
    .onPaymentCreationFailure(async ({ error }) => {
      failure = error;
    });
  const paid = wrapFetchWithPayment(fetch, client);
  return async (input, init) => {
    failure = undefined;
    try {
      return await paid(input, init);
    } catch (err) {
      if (isPayerError(failure)) throw failure;
      const why = err instanceof Error ? err.message : String(err);
      if (/payment requirements/i.test(why)) {
        throw new CliError(
          `${String(input)} answered 402 without a usable x402 offer (${why.split("\n")[0]}); try --protocol rdn`,
          EXIT.refused,
        );
      }
      throw err;
    }
  };
}

/**
 * The spending policy of `get`'s options. `--deposit` is the deposit of a new channel (at least
 * the price) and the most a channel's deposit may grow to by top-ups.
 */
export function policyOf(opts: GetOptions): SpendingPolicy {
  const policy: SpendingPolicy = {};
  if (opts.maxPrice !== undefined)
    policy.maxPrice = parseTokenAmount(opts.maxPrice, "--max-price", { allowZero: true });
  if (opts.budget !== undefined)
    policy.budget = parseTokenAmount(opts.budget, "--budget", { allowZero: true });
  if (opts.deposit !== undefined) {
    policy.maxDeposit = parseTokenAmount(opts.deposit, "--deposit");
    // Every new deposit is then exactly maxDeposit (the policy caps price × multiple by it).
    policy.depositMultiple = 2n ** 192n;
  }
  return policy;
}

/**
 * `get <url>`: fetches a URL, paying as needed, and writes the body to stdout or `-o FILE`.
 * An HTTP error status after any payment is exit 5 (its body goes to stderr).
 */
export async function getCommand(
  url: string,
  opts: GetOptions,
  global: GlobalOptions,
  io: { stdout: NodeJS.WritableStream; log: (line: string) => void },
): Promise<void> {
  const target = parseSiteUrl(url);
  policyOf(opts); // syntax errors before any network call
  const depositVia = parseDepositVia(opts.depositVia);
  const protocol = parseProtocol(opts.protocol);
  const clients = await connectChain(global);
  // A HEAD is never charged: its 402 names the token, whose decimals and symbol the amounts use.
  const token = await probeToken(target.href);
  if (token) await adoptTokenUnits(clients.publicClient, token);
  const policy = policyOf(opts);
  const { payer } = await setupPayer(global, policy, opts.quiet ? undefined : io.log, depositVia);
  const res =
    protocol === "x402" ? await x402Fetch(payer)(target.href) : await payer.fetch(target.href);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status === 402) {
    throw new CliError(
      `${target.href} still answers 402 Payment Required: ${firstLine(body)}`,
      EXIT.refused,
    );
  }
  if (!res.ok) {
    throw new CliError(
      `${target.href} answered HTTP ${res.status} ${res.statusText}: ${firstLine(body)}`,
      EXIT.http,
    );
  }
  if (opts.output) {
    await writeFile(opts.output, body);
    if (!opts.quiet) io.log(`wrote ${body.length} bytes to ${opts.output}`);
  } else {
    await new Promise<void>((resolve, reject) =>
      io.stdout.write(body, (err) => (err ? reject(err) : resolve())),
    );
  }
}

/** The token a paid URL is priced in, from the RDN headers of a HEAD request (undefined if none). */
async function probeToken(url: string): Promise<Address | undefined> {
  try {
    const res = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    if (res.status !== 402) return undefined;
    return decodePaymentTerms(res.headers).token;
  } catch {
    return undefined; // the paying request reports an unreachable site
  }
}

/** The body's first line (at most 200 characters), for error messages. */
function firstLine(body: Buffer): string {
  const text = body.toString("utf8", 0, Math.min(body.length, 400));
  let line = text;
  try {
    const json = JSON.parse(body.toString("utf8")) as { error?: unknown; message?: unknown };
    line = String(json.message ?? json.error ?? text);
  } catch {
    // not JSON
  }
  return line.split("\n")[0]!.slice(0, 200) || "(empty body)";
}
