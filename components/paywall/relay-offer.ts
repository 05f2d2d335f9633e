import type { RelayOffer } from "@/lib/protocol/terms";
import type { SiteTerms } from "./types";

/** The site's relay offer in the payer's terms (undefined when the site does not relay). */
export function relayOffer(terms: Pick<SiteTerms, "relay">): RelayOffer | undefined {
  return terms.relay
    ? {
        url: terms.relay.url,
        min_deposit: BigInt(terms.relay.minDeposit),
        min_validity_seconds: terms.relay.minValiditySeconds,
      }
    : undefined;
}
