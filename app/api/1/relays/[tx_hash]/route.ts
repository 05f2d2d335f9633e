import { getAddress } from "viem";
import { relayParamsSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { BadRequestError } from "@/lib/errors";
import { effectiveSigner } from "@/lib/relay/check";
import { relayByTxHash } from "@/lib/relay/submit";

export const dynamic = "force-dynamic";

/**
 * The state of a relay (open, top-up, close, or a faucet grant) by its transaction hash (anybody:
 * everything shown is on chain): `{ status: pending | mined | reverted | failed, kind, tx_hash,
 * sender, receiver, open_block, amount, signer, gas_used }`.
 */
// GET /api/1/relays/:tx_hash
export const GET = apiRoute(
  { auth: "none", params: relayParamsSchema, headers: { "Cache-Control": "no-store" } },
  async ({ params }) => {
    const row = await relayByTxHash(params.tx_hash);
    if (!row) throw new BadRequestError("tx_hash: no relay of this site sent it", 404);
    const sender = getAddress(row.sender);
    return {
      status: row.state,
      kind: row.kind,
      tx_hash: row.txHash,
      sender,
      receiver: getAddress(row.receiver),
      open_block: row.kind === "open" && row.state !== "mined" ? null : row.openBlock,
      amount: row.amount,
      signer: row.kind === "open" ? effectiveSigner(sender, row.signer as `0x${string}`) : null,
      gas_used: row.gasUsed,
    };
  },
);
