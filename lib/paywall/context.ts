import type { Hex } from "viem";
import { chainConfig, type ChainConfig } from "@/lib/chain/config";
import { channelStore, keepingChannelStore } from "@/lib/db/store";
import { env } from "@/lib/env";
import { ensureSyncState } from "@/lib/indexer/sync-state";
import { createProofVerifier } from "@/lib/protocol/fast-verify";
import type { PaywallDeps, PaywallIdentity } from "@/lib/protocol/paywall";

export interface PaywallContext {
  chain: ChainConfig;
  identity: PaywallIdentity;
  deps: PaywallDeps;
}

const cache = new WeakMap<ChainConfig, PaywallContext>();

/** The paywall's dependencies for the configured deployment, built once per chain configuration. */
export async function paywallContext(): Promise<PaywallContext> {
  const chain = await chainConfig();
  let ctx = cache.get(chain);
  if (ctx) return ctx;
  // Refuses (503) while the database holds another deployment's channels.
  await ensureSyncState(chain);
  const identity: PaywallIdentity = {
    receiver: chain.receiver.address,
    contract: chain.deployment.contract,
    token: chain.deployment.token,
    chainId: chain.chain.id,
  };
  const verifier = createProofVerifier({ chainId: identity.chainId, contract: identity.contract });
  ctx = {
    chain,
    identity,
    deps: {
      identity,
      store: keepingChannelStore(channelStore(() => env().CONFIRMATIONS)),
      recoverSigner: (message, signature: Hex) =>
        verifier.recoverBalanceProofSigner(message, signature),
    },
  };
  cache.set(chain, ctx);
  return ctx;
}
