/**
 * The x402 `exact` scheme's offer on this site: an EIP-3009 `transferWithAuthorization` of exactly
 * the price from the payer to the receiver, in the site's token, settled by the site itself
 * (lib/x402/exact-settle.ts). Offered only when the token implements EIP-3009; its EIP-712 name and
 * version are read once per token (lib/relay/policy.ts `relayToken`, as the relay offer does).
 */
import type { PaymentRequirements } from "@x402/core/types";
import { getAddress } from "viem";
import type { ChainConfig } from "@/lib/chain/config";
import { AppError } from "@/lib/errors";
import { relayToken } from "@/lib/relay/policy";
import type { OfferContext } from "./envelope";

/** Seconds an `exact` authorization must stay valid: the client's `validBefore` is now + this. */
export const EXACT_MAX_TIMEOUT_SECONDS = 300;

type Domain = { name: string; version: string };

const domains = new WeakMap<ChainConfig, Promise<Domain | undefined>>();

/**
 * The token's EIP-712 name and version, or undefined for a token without EIP-3009. Cached per
 * chain configuration (a new deployment is read again); an RPC failure is not cached.
 */
function tokenDomain(chain: ChainConfig): Promise<Domain | undefined> {
  let hit = domains.get(chain);
  if (!hit) {
    hit = relayToken(chain).then(
      ({ domain }) => ({ name: domain.name, version: domain.version }),
      (err: unknown) => {
        if (err instanceof AppError && err.status === 501) return undefined;
        domains.delete(chain);
        throw err;
      },
    );
    domains.set(chain, hit);
  }
  return hit;
}

/**
 * The one `exact` requirement for `ctx`'s price, or undefined when the token cannot take
 * EIP-3009 authorizations.
 *
 * @throws the RPC's error when the token cannot be read (not cached: tried again next time)
 */
export async function exactRequirement(
  ctx: OfferContext,
): Promise<PaymentRequirements | undefined> {
  const domain = await tokenDomain(ctx.chain);
  if (!domain) return undefined;
  return {
    scheme: "exact",
    network: `eip155:${ctx.identity.chainId}`,
    amount: ctx.price.toString(),
    asset: getAddress(ctx.identity.token),
    payTo: getAddress(ctx.identity.receiver),
    maxTimeoutSeconds: EXACT_MAX_TIMEOUT_SECONDS,
    // The exact client signs TransferWithAuthorization in the domain { name, version, chainId,
    // verifyingContract: asset }; without assetTransferMethod it uses EIP-3009 (not Permit2).
    extra: { name: domain.name, version: domain.version },
  };
}

/** The `exact` entries of `accepts`: one, or none for a token without EIP-3009. */
export async function exactAccepts(ctx: OfferContext): Promise<PaymentRequirements[]> {
  const requirement = await exactRequirement(ctx);
  return requirement ? [requirement] : [];
}
