/**
 * Relayed opens and top-ups (`POST /api/1/channels`, `POST /api/1/channels/:sender/:open_block/topups`):
 * the policy and the authorization are checked here, on the instance that got the request; the
 * leader reserves, sends and waits (`submitRelay`, through `onLeader`). The relayed close
 * (`close.ts`) and the faucet (`faucet.ts`) go the same way; {@link relayAnswer} answers all four.
 */
import type { Address, Hex } from "viem";
import { chainConfig } from "@/lib/chain/config";
import { onLeader } from "@/lib/cluster/leader-tasks";
import { AppError } from "@/lib/errors";
import { checkOpen, checkTopUp, type AuthorizationFields } from "./check";
import { relayEnabled, relayPolicy, relayToken } from "./policy";
import type { RelayOutcome } from "./submit";

/** The path a pending relay's status is read from. */
export const relayStatusPath = (txHash: Hex) => `/api/1/relays/${txHash}`;

/**
 * The site's chain config when relaying is on.
 *
 * @throws a 503 naming RELAY_ENABLED when it is off
 */
export async function relayingConfig(
  what = "opens and top-ups",
  instead = "open or top up the channel yourself",
) {
  const cfg = await chainConfig();
  if (!relayEnabled(cfg))
    throw new AppError(
      `relay: relayed ${what} are disabled on this site (RELAY_ENABLED); ${instead}`,
      { status: 503, expose: true },
    );
  return cfg;
}

async function prepare() {
  const cfg = await relayingConfig();
  const token = await relayToken(cfg);
  const policy = await relayPolicy(cfg);
  return { cfg, token, policy };
}

/**
 * Opens a channel for `sender` with its EIP-3009 authorization; the receiver pays the gas.
 *
 * @throws 503 when relaying is off, 501 for a token without EIP-3009, 400/409/429/503 refusals
 */
export async function relayOpen(
  req: AuthorizationFields & { sender: Address; deposit: bigint; signer: Address },
  clientIp: string,
): Promise<RelayOutcome> {
  const { cfg, token, policy } = await prepare();
  const call = await checkOpen(cfg, policy, token, req);
  return onLeader("relay", { ...call, clientIp });
}

/**
 * Tops up `sender`'s channel with its EIP-3009 authorization; the receiver pays the gas.
 *
 * @throws like {@link relayOpen}, and 404 for a channel the contract does not hold
 */
export async function relayTopUp(
  req: AuthorizationFields & { sender: Address; openBlock: number; amount: bigint },
  clientIp: string,
): Promise<RelayOutcome> {
  const { cfg, token, policy } = await prepare();
  const call = await checkTopUp(cfg, policy, token, req);
  return onLeader("relay", { ...call, clientIp });
}

/** The 201 body of a mined relay, by kind. */
function minedBody(outcome: RelayOutcome & { state: "mined" }): Record<string, unknown> {
  const common = {
    open_block: outcome.openBlock,
    tx_hash: outcome.txHash,
    sender: outcome.sender,
    receiver: outcome.receiver,
  };
  switch (outcome.kind) {
    case "open":
      return { ...common, deposit: outcome.amount.toString(), signer: outcome.signer };
    case "topup":
      return {
        ...common,
        added_deposit: outcome.amount.toString(),
        deposit: outcome.deposit.toString(),
      };
    case "close":
      return {
        ...common,
        balance: outcome.amount.toString(),
        refund: (outcome.deposit - outcome.amount).toString(),
      };
    case "faucet":
      return {
        tx_hash: outcome.txHash,
        address: outcome.sender,
        amount: outcome.amount.toString(),
      };
  }
}

/**
 * The HTTP answer of a relay: 201 with what it did once mined; 202 `{ status: "pending", tx_hash,
 * status_url }` (and `Location`) while it waits longer than RELAY_WAIT_SECONDS.
 */
export function relayAnswer(outcome: RelayOutcome): Response {
  const headers = { "Cache-Control": "no-store" };
  if (outcome.state === "pending") {
    const url = relayStatusPath(outcome.txHash);
    return Response.json(
      { status: "pending", tx_hash: outcome.txHash, status_url: url },
      { status: 202, headers: { ...headers, Location: url } },
    );
  }
  return Response.json(minedBody(outcome), { status: 201, headers });
}
