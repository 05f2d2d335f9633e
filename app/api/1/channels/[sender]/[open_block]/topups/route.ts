import { channelParamsSchema, relayTopUpSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { clientIp } from "@/lib/relay/client-ip";
import { relayAnswer, relayTopUp } from "@/lib/relay/relay";

export const dynamic = "force-dynamic";

/**
 * Relayed top-up (anybody): body `{ amount, salt, valid_after, valid_before, signature }`, the
 * sender's EIP-3009 ReceiveWithAuthorization for this channel; the receiver submits
 * `topUpWithAuthorization` and pays the gas → 201 `{ open_block, tx_hash, sender, receiver,
 * added_deposit, deposit }` once mined, or 202 with a status URL.
 */
// POST /api/1/channels/:sender/:open_block/topups
export const POST = apiRoute(
  { auth: "none", params: channelParamsSchema, body: relayTopUpSchema },
  async ({ req, params, body }) =>
    relayAnswer(
      await relayTopUp(
        {
          sender: params.sender,
          openBlock: params.open_block,
          amount: body.amount,
          salt: body.salt,
          validAfter: body.valid_after,
          validBefore: body.valid_before,
          signature: body.signature,
        },
        clientIp(req),
      ),
    ),
);
