import { z } from "zod";
import { listChannels } from "@/lib/api/channels";
import { channelStatusSchema, relayOpenSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { clientIp } from "@/lib/relay/client-ip";
import { relayAnswer, relayOpen } from "@/lib/relay/relay";

export const dynamic = "force-dynamic";

/** Every channel of the receiver, `?status=open|closing|settled|all` (default open; operator only). */
// GET /api/1/channels
export const GET = apiRoute(
  { auth: "operator", query: z.object({ status: channelStatusSchema }) },
  ({ query }) => listChannels({ status: query.status }),
);

/**
 * Relayed open (anybody): body `{ sender, deposit, signer, salt, valid_after, valid_before,
 * signature }`, the sender's EIP-3009 ReceiveWithAuthorization; the receiver submits
 * `createChannelWithAuthorization` and pays the gas → 201 `{ open_block, tx_hash, sender,
 * receiver, deposit, signer }` once mined, or 202 with a status URL.
 */
// POST /api/1/channels
export const POST = apiRoute({ auth: "none", body: relayOpenSchema }, async ({ req, body }) =>
  relayAnswer(
    await relayOpen(
      {
        sender: body.sender,
        deposit: body.deposit,
        signer: body.signer,
        salt: body.salt,
        validAfter: body.valid_after,
        validBefore: body.valid_before,
        signature: body.signature,
      },
      clientIp(req),
    ),
  ),
);
