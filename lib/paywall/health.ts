import { formatEther } from "viem";
import type { ChainConfig } from "@/lib/chain/config";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { ChainUnavailableError } from "@/lib/errors";

interface Health {
  ok: boolean;
  message: string;
  checkedAt: number;
}

/** A healthy result is trusted this long; a failure is re-checked sooner so recovery shows fast. */
const HEALTHY_TTL_MS = 5_000;
const UNHEALTHY_TTL_MS = 1_000;

const state = new WeakMap<ChainConfig, { last?: Health; inflight?: Promise<Health> }>();

async function probe(chain: ChainConfig): Promise<Health> {
  const checkedAt = Date.now();
  let wei: bigint;
  let min: bigint;
  try {
    [wei, min] = await Promise.all([
      chain.publicClient.getBalance({ address: chain.receiver.address }),
      minReceiverEth(chain),
    ]);
  } catch {
    return {
      ok: false,
      checkedAt,
      message: "the chain RPC is unreachable; payments cannot be verified",
    };
  }
  if (wei < min) {
    return {
      ok: false,
      checkedAt,
      message: `the receiver's ETH balance (${formatEther(wei)} ETH) is below the ${formatEther(min)} ETH needed to dispute channel closes`,
    };
  }
  return { ok: true, checkedAt, message: "ok" };
}

/**
 * Throws {@link ChainUnavailableError} (502) when the chain RPC is unreachable or the receiver
 * could not pay for a dispute. Cached: at most one probe in flight, a few per second at most.
 */
export async function assertChainHealthy(chain: ChainConfig): Promise<void> {
  let s = state.get(chain);
  if (!s) state.set(chain, (s = {}));
  const last = s.last;
  const fresh = last && Date.now() - last.checkedAt < (last.ok ? HEALTHY_TTL_MS : UNHEALTHY_TTL_MS);
  let health = fresh ? last : undefined;
  if (!health) {
    s.inflight ??= probe(chain).finally(() => {
      s.inflight = undefined;
    });
    health = await s.inflight;
    s.last = health;
  }
  if (!health.ok) throw new ChainUnavailableError(health.message);
}
