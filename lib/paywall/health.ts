/**
 * The chain health check in front of every paid route: the RPC answers in time, the receiver can
 * pay for a dispute, and the indexed view of the channel contract is close to the chain's head.
 */
import { createPublicClient, formatEther, http, type PublicClient } from "viem";
import type { ChainConfig } from "@/lib/chain/config";
import { minReceiverEth } from "@/lib/chain/receiver-eth";
import { sql } from "@/lib/db/sql";
import { env } from "@/lib/env";
import { ChainUnavailableError } from "@/lib/errors";

interface Health {
  ok: boolean;
  message: string;
  checkedAt: number;
}

/**
 * A healthy result is checked again once it is this old, in the background: requests go on with
 * it meanwhile, so a paid request does not wait for the chain's round trips.
 */
const HEALTHY_TTL_MS = 5_000;
/** Older than this, a healthy result no longer counts: the request waits for a new check. */
const HEALTHY_MAX_AGE_MS = 30_000;
/** A failure is checked again this soon (the request waits), so recovery shows fast. */
const UNHEALTHY_TTL_MS = 1_000;

interface ProbeState {
  last?: Health;
  inflight?: Promise<Health>;
  client?: { timeoutMs: number; client: PublicClient };
}

let state = new WeakMap<ChainConfig, ProbeState>();

class ProbeTimeout extends Error {
  override name = "ProbeTimeout";
}

/** A client of its own for the probe: one attempt, bounded by RPC_PROBE_TIMEOUT_MS. */
function probeClient(chain: ChainConfig, s: ProbeState, timeoutMs: number): PublicClient {
  if (s.client?.timeoutMs !== timeoutMs) {
    s.client = {
      timeoutMs,
      client: createPublicClient({
        chain: chain.chain,
        transport: http(chain.rpcUrl, { retryCount: 0, timeout: timeoutMs }),
      }),
    };
  }
  return s.client.client;
}

/** The last indexed block, read straight from SyncState (`null` before the first pass). */
async function syncedBlock(): Promise<number | null> {
  const row = await sql().get<{ syncedBlock: number }>(
    `SELECT "syncedBlock" FROM "SyncState" WHERE "id" = 1`,
  );
  return row ? row.syncedBlock : null;
}

async function probe(chain: ChainConfig, s: ProbeState): Promise<Health> {
  const checkedAt = Date.now();
  const { RPC_PROBE_TIMEOUT_MS, INDEXER_MAX_LAG_BLOCKS } = env();
  const client = probeClient(chain, s, RPC_PROBE_TIMEOUT_MS);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), RPC_PROBE_TIMEOUT_MS);
  });
  let wei: bigint;
  let min: bigint;
  let head: bigint;
  try {
    [wei, min, head] = await Promise.race([
      Promise.all([
        client.getBalance({ address: chain.receiver.address }),
        minReceiverEth(chain),
        client.getBlockNumber({ cacheTime: 0 }),
      ]),
      deadline,
    ]);
  } catch (err) {
    return {
      ok: false,
      checkedAt,
      message:
        err instanceof ProbeTimeout
          ? `the chain RPC did not answer within ${RPC_PROBE_TIMEOUT_MS} ms; payments cannot be verified`
          : "the chain RPC is unreachable; payments cannot be verified",
    };
  } finally {
    clearTimeout(timer);
  }
  if (wei < min) {
    return {
      ok: false,
      checkedAt,
      message: `the receiver's ETH balance (${formatEther(wei)} ETH) is below the ${formatEther(min)} ETH needed to dispute channel closes`,
    };
  }
  const synced = (await syncedBlock()) ?? chain.deployment.startBlock - 1;
  const lag = Number(head) - synced;
  if (lag > INDEXER_MAX_LAG_BLOCKS) {
    return {
      ok: false,
      checkedAt,
      message: `the site's view of the channel contract is ${lag} blocks behind the chain (more than ${INDEXER_MAX_LAG_BLOCKS}); payments are paused until the indexer catches up`,
    };
  }
  return { ok: true, checkedAt, message: "ok" };
}

/**
 * Throws {@link ChainUnavailableError} (502) when the chain RPC is unreachable or slower than
 * RPC_PROBE_TIMEOUT_MS, the receiver could not pay for a dispute, or the indexer lags the head by
 * more than INDEXER_MAX_LAG_BLOCKS (a close request might not be seen in time). Cached, with at
 * most one probe in flight: a healthy result serves for up to {@link HEALTHY_MAX_AGE_MS} and is
 * checked again in the background after {@link HEALTHY_TTL_MS}; a failure is checked again, with
 * the request waiting, after {@link UNHEALTHY_TTL_MS}.
 */
export async function assertChainHealthy(chain: ChainConfig): Promise<void> {
  let s = state.get(chain);
  if (!s) state.set(chain, (s = {}));
  const last = s.last;
  const age = last ? Date.now() - last.checkedAt : Infinity;
  const current = s;
  const check = () =>
    (current.inflight ??= probe(chain, current)
      .then((health) => (current.last = health))
      .finally(() => {
        current.inflight = undefined;
      }));
  let health: Health;
  if (last?.ok && age < HEALTHY_MAX_AGE_MS) {
    // Still usable: checked again in the background once it is due.
    if (age >= HEALTHY_TTL_MS) void check().catch(() => undefined);
    health = last;
  } else if (last && !last.ok && age < UNHEALTHY_TTL_MS) {
    health = last;
  } else {
    health = await check();
  }
  if (!health.ok) throw new ChainUnavailableError(health.message);
}

/** Forgets cached health results (tests; after the operator fixed the chain connection). */
export function resetChainHealth(): void {
  state = new WeakMap();
}
