/**
 * Errors of wallet actions in words: what went wrong and what the reader can do about it.
 */
import { isPayerError, type PayerErrorCode } from "@/lib/protocol/client";

/** An error thrown by the site's API (a JSON `{ error }` answer). */
export class SiteApiError extends Error {
  override readonly name = "SiteApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The error and its causes, outermost first (bounded: cause chains can loop). */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  for (let e = err; e !== undefined && e !== null && out.length < 10;) {
    out.push(e);
    e = typeof e === "object" ? (e as { cause?: unknown }).cause : undefined;
  }
  return out;
}

function field(e: unknown, key: string): unknown {
  return typeof e === "object" && e !== null ? (e as Record<string, unknown>)[key] : undefined;
}

/** The reader declined in the wallet (EIP-1193 code 4001, viem's UserRejectedRequestError). */
export function isUserRejection(err: unknown): boolean {
  return causes(err).some(
    (e) =>
      field(e, "code") === 4001 ||
      field(e, "name") === "UserRejectedRequestError" ||
      /user (rejected|denied)/i.test(String(field(e, "message") ?? "")),
  );
}

function isInsufficientEth(err: unknown): boolean {
  return causes(err).some(
    (e) =>
      field(e, "name") === "InsufficientFundsError" ||
      /insufficient funds for (gas|intrinsic)/i.test(String(field(e, "message") ?? "")),
  );
}

const PAYER_ADVICE: Partial<Record<PayerErrorCode, string>> = {
  "no-eth": "Your account does not have enough ETH to pay for the transaction's gas.",
  "no-tokens": "Your account does not hold enough tokens for this amount.",
  "wrong-chain": "Your wallet is on another network: switch to the site's network and try again.",
  "challenge-period":
    "The challenge period is not over yet: the channel can be settled once its settle block has passed.",
  "bad-channel-state": "The channel is not in a state that allows this action any more.",
  "site-unreachable": "The site did not answer: check your connection and try again.",
  "recovery-failed":
    "Your channels could not be read from the chain: the network node did not answer.",
  "no-signer": "This browser cannot sign for the channel: its key is not here.",
};

/**
 * `message` with the site's own origin (which the payer core names for programs talking to many
 * sites) said as "the site": the reader is on it.
 */
export function sayTheSite(message: string, origin: string | undefined): string {
  if (!origin) return message;
  return message
    .split(`${origin}'s `)
    .join("the site's ")
    .split(origin)
    .join("the site")
    .replace(/^the site/, "The site");
}

/**
 * A sentence for people explaining `err` (the technical message follows when it adds facts).
 * `origin`: the site's, said as "the site" (default: this page's).
 */
export function explainError(
  err: unknown,
  origin: string | undefined = globalThis.location?.origin,
): string {
  return sayTheSite(explained(err), origin);
}

function explained(err: unknown): string {
  if (isUserRejection(err)) return "You rejected the request in your wallet: nothing was sent.";
  if (isInsufficientEth(err)) {
    return PAYER_ADVICE["no-eth"]!;
  }
  if (isPayerError(err)) {
    const advice = PAYER_ADVICE[err.code];
    // "The site did not answer" needs no "(the site did not answer the close request.)".
    if (advice && err.code === "site-unreachable") return advice;
    return advice ? `${advice} (${err.message})` : err.message;
  }
  if (err instanceof SiteApiError) {
    if (err.status === 401) return `The site did not accept the sign-in: ${err.message}`;
    if (err.status === 403) return `The site refused: ${err.message}`;
    if (err.status >= 500) return `The site cannot answer right now: ${err.message}`;
    return `The site answered: ${err.message}`;
  }
  if (err instanceof TypeError && /fetch|network/i.test(err.message)) {
    return "The site did not answer: check your connection and try again.";
  }
  const short = field(err, "shortMessage");
  if (typeof short === "string" && short) return short;
  return err instanceof Error ? err.message : String(err);
}
