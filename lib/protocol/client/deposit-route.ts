/**
 * How a deposit reaches the channel contract, as pure decisions: through the site's relay (the
 * payer signs one EIP-3009 authorization, the site sends the transaction and pays its gas) or with
 * the payer's own transaction; and how much a relayed deposit may be, given the relay's minimum
 * and the payer's limits. No I/O: `channels.ts` performs what these decide.
 */
import type { RelayOffer } from "../terms";
import { PayerError } from "./errors";

/**
 * How the payer opens and tops up channels: `"relay"` only through the site's relay, `"self"`
 * only with its own transaction, `"auto"` through the relay when the site offers one and the
 * sender has too little ETH for the gas, else with its own transaction.
 */
export type DepositVia = "auto" | "relay" | "self";

/** The way a channel was opened or topped up. */
export type DepositRoute = "relay" | "self";

/** A site's relay as the payer uses it: absolute URLs on the site's own origin. */
export interface RelayEndpoint {
  /** The site's origin: the only place the authorization is sent. */
  origin: string;
  /** Where relayed opens are posted (`https://site/api/1/channels`). */
  openUrl: string;
  minDeposit: bigint;
  minValiditySeconds: number;
}

/** How much a relay minimum may raise a deposit the payer planned when no `maxDeposit` is set. */
export const RELAY_RAISE_LIMIT = 10n;

/**
 * The relay of `offer` on `origin`, or undefined when there is none or it points elsewhere: an
 * authorization is only ever sent to the origin whose terms the payer checked.
 */
export function relayEndpoint(
  offer: RelayOffer | undefined,
  origin: string | undefined,
): RelayEndpoint | undefined {
  if (!offer || !origin) return undefined;
  let url: URL;
  try {
    url = new URL(offer.url, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(origin).origin || url.search || url.hash) return undefined;
  return {
    origin: url.origin,
    openUrl: url.href.replace(/\/+$/, ""),
    minDeposit: offer.min_deposit,
    minValiditySeconds: offer.min_validity_seconds,
  };
}

/** Where a relayed top-up of `(sender, openBlock)` is posted. */
export function relayTopUpUrl(relay: RelayEndpoint, sender: string, openBlock: number): string {
  return `${relay.openUrl}/${sender}/${openBlock}/topups`;
}

/**
 * The amount to relay: `amount` when it meets the relay's minimum, else the minimum when it stays
 * within `cap` (the most the payer's limits allow for this deposit), else undefined (the relay
 * cannot take this deposit within the limits).
 */
export function relayAmount(amount: bigint, minDeposit: bigint, cap: bigint): bigint | undefined {
  if (amount >= minDeposit) return amount;
  return minDeposit <= cap ? minDeposit : undefined;
}

/**
 * The most a planned deposit (a new channel's, or a top-up of a channel holding `current`) may be
 * raised to meet a relay's minimum: what `maxDeposit` leaves, else {@link RELAY_RAISE_LIMIT} times
 * the planned amount (a site's minimum never locks more of the payer's tokens than that).
 */
export function relayCap(amount: bigint, maxDeposit: bigint | undefined, current = 0n): bigint {
  if (maxDeposit !== undefined) return maxDeposit > current ? maxDeposit - current : 0n;
  return amount * RELAY_RAISE_LIMIT;
}

/** What {@link chooseDepositRoute} needs to know. */
export interface RouteInput {
  via: DepositVia;
  /** "open" or "top-up", for messages. */
  what: "open" | "top-up";
  /** The site's relay, when it offers one on its own origin. */
  relay: RelayEndpoint | undefined;
  /** The amount the relay would take (see {@link relayAmount}); undefined: not within limits. */
  relayAmount: bigint | undefined;
  /** Whether the sender's ETH covers the gas of its own transactions (asked only for "auto"). */
  hasGas: () => Promise<boolean>;
}

/** The decision: relay `amount`, or send the payer's own transaction. */
export type RouteChoice = { via: "relay"; relay: RelayEndpoint; amount: bigint } | { via: "self" };

/**
 * Chooses how a deposit reaches the contract.
 *
 * @throws {PayerError} "relay-unavailable" when `via` is "relay" and the site offers no relay;
 *   "over-policy" when the relay is the only way and its minimum exceeds the payer's limits
 */
export async function chooseDepositRoute(input: RouteInput): Promise<RouteChoice> {
  const { via, relay, what } = input;
  if (via === "self") return { via: "self" };
  if (!relay) {
    if (via === "auto") return { via: "self" };
    throw new PayerError(
      "relay-unavailable",
      `The site does not offer to relay opens and top-ups (its 402 names no relay, or one on another origin); nothing was signed.`,
      { details: { what } },
    );
  }
  if (via === "auto" && (await input.hasGas())) return { via: "self" };
  if (input.relayAmount === undefined) {
    throw new PayerError(
      "over-policy",
      `The site's relay takes ${what === "open" ? "deposits" : "top-ups"} of at least ${relay.minDeposit} base units, ` +
        `more than this payer's limits allow here; nothing was signed.`,
      { details: { minDeposit: relay.minDeposit, what } },
    );
  }
  return { via: "relay", relay, amount: input.relayAmount };
}
