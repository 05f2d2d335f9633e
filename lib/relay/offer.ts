/**
 * The relay offer a site announces (docs/protocol.md "Relayed opens and top-ups"): in the JSON
 * body of every 402, in the paywall's site terms and in `GET /api/1/prices`. Present only when
 * relaying is on (RELAY_ENABLED) and the site's token implements EIP-3009; read once per chain
 * configuration, so a 402 costs no extra RPC call.
 */
import type { ChainConfig } from "@/lib/chain/config";
import { AppError } from "@/lib/errors";
import { GATEWAY_PATH } from "@/lib/protocol/headers";
import type { RelayOfferJson } from "@/lib/protocol/terms";
import { relayEnabled, relayPolicy, relayToken } from "./policy";

/** The route relayed opens are posted to; top-ups go to `<it>/<sender>/<open_block>/topups`. */
export const RELAY_OPEN_PATH = `${GATEWAY_PATH}/channels`;

const offers = new WeakMap<ChainConfig, Promise<RelayOfferJson | undefined>>();

async function readOffer(cfg: ChainConfig): Promise<RelayOfferJson | undefined> {
  if (!relayEnabled(cfg)) return undefined;
  await relayToken(cfg); // a 501 for a token without EIP-3009
  const policy = await relayPolicy(cfg);
  return {
    url: RELAY_OPEN_PATH,
    min_deposit: policy.minDeposit.toString(),
    min_validity_seconds: policy.minValiditySeconds,
  };
}

/**
 * The site's relay offer, or undefined when it does not relay (off, or a token without EIP-3009).
 * Never throws: an RPC failure leaves the offer out of this answer and is retried on the next.
 */
export function relayOffer(cfg: ChainConfig): Promise<RelayOfferJson | undefined> {
  let hit = offers.get(cfg);
  if (!hit) {
    hit = readOffer(cfg).catch((err: unknown) => {
      // A token without EIP-3009 (501) stays without an offer; anything else is tried again.
      if (!(err instanceof AppError && err.status === 501)) offers.delete(cfg);
      return undefined;
    });
    offers.set(cfg, hit);
  }
  return hit;
}
