import { closeAuthFor } from "@/lib/api/cooperative-close";
import { channelParamsSchema, closeRequestSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { clientIp } from "@/lib/relay/client-ip";
import { relayClose } from "@/lib/relay/close";
import { relayAnswer } from "@/lib/relay/relay";

export const dynamic = "force-dynamic";

/**
 * Relayed cooperative close, by the sender or the channel's signer only (authenticated as for
 * `DELETE /api/1/channels/:sender/:open_block`): body `{ balance, balance_signature?,
 * close_request? }`; the receiver signs its ClosingProof and submits `cooperativeClose` itself,
 * paying the gas → 201 `{ open_block, tx_hash, sender, receiver, balance, refund }` once mined, or
 * 202 with a status URL. The channel accepts no more payments afterwards.
 */
// POST /api/1/channels/:sender/:open_block/close
export const POST = apiRoute(
  { auth: "none", params: channelParamsSchema, body: closeRequestSchema },
  async ({ req, params, body }) => {
    const auth = await closeAuthFor(req, body);
    return relayAnswer(
      await relayClose(
        {
          sender: params.sender,
          openBlock: params.open_block,
          balance: body.balance,
          balanceSignature: body.balance_signature,
          auth,
        },
        clientIp(req),
      ),
    );
  },
);
