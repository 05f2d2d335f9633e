/** Builders for paywall tests: channel rows, signed proofs, requests to route handlers. */
import type { Address, Hex, PrivateKeyAccount } from "viem";
import { db } from "@/lib/db/client";
import { channelDomain } from "@/lib/protocol/eip712";
import { signBalanceProof } from "@/lib/protocol/proofs";
import type { SiteFixture } from "./site-fixture";

export const BASE = "http://127.0.0.1:3000";

/** Records a channel the way the indexer would after seeing it on chain. */
export async function indexChannel(
  f: SiteFixture,
  reader: PrivateKeyAccount,
  openBlock: number,
  deposit: bigint,
  overrides: Partial<{
    signer: Address;
    state: string;
    confirmed: boolean;
    closeSigned: boolean;
  }> = {},
): Promise<number> {
  const row = await db().channel.create({
    data: {
      sender: reader.address,
      openBlock,
      receiver: f.receiver.address,
      signer: overrides.signer ?? reader.address,
      deposit: deposit.toString(),
      seenDeposit: deposit.toString(),
      confirmed: overrides.confirmed ?? true,
      state: overrides.state ?? "open",
      closeSigned: overrides.closeSigned ?? false,
    },
  });
  return row.id;
}

/** Signs a balance proof for the fixture's contract. */
export function proof(
  f: SiteFixture,
  signer: PrivateKeyAccount,
  sender: Address,
  openBlock: number,
  balance: bigint,
): Promise<Hex> {
  return signBalanceProof({
    account: signer,
    domain: channelDomain({ chainId: f.deployment.chainId, contract: f.deployment.contract }),
    message: { sender, receiver: f.receiver.address, openBlockNumber: openBlock, balance },
  });
}

/** RDN-* request headers for a payment. */
export function paymentHeaders(
  sender: Address,
  openBlock: number,
  balance: bigint,
  signature: Hex,
): Record<string, string> {
  return {
    "RDN-Sender-Address": sender,
    "RDN-Open-Block": String(openBlock),
    "RDN-Sender-Balance": balance.toString(),
    "RDN-Balance-Signature": signature,
  };
}

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

/** Calls a route handler the way Next does. */
export function call<P>(
  handler: Handler<P>,
  path: string,
  params: P,
  headers: Record<string, string> = {},
): Promise<Response> {
  return handler(new Request(`${BASE}${path}`, { headers }), { params: Promise.resolve(params) });
}
