import { getChannel } from "@/lib/api/channels";
import { closeAuthFor, cooperativeClose } from "@/lib/api/cooperative-close";
import { channelParamsSchema, closeRequestSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";

/** One channel with its last accepted balance proof (operator or that sender). */
// GET /api/1/channels/:sender/:open_block
export const GET = apiRoute({ auth: "sender", params: channelParamsSchema }, ({ params }) =>
  getChannel(params.sender, params.open_block),
);

/**
 * Cooperative close, by the sender or the channel's signer only: body `{ balance,
 * balance_signature, close_request? }` (the last accepted balance, its proof, and a signed
 * CloseRequest unless signed in as one of them) → `{ close_signature }`; the channel accepts no
 * more payments afterwards. The signer may be neither the sender nor signed in, so this route
 * authenticates with the signed CloseRequest itself (`closeAuthFor`).
 */
// DELETE /api/1/channels/:sender/:open_block
export const DELETE = apiRoute(
  {
    auth: "none",
    params: channelParamsSchema,
    body: closeRequestSchema,
    headers: { "Cache-Control": "no-store" },
  },
  async ({ req, params, body }) => {
    const auth = await closeAuthFor(req, body);
    return cooperativeClose({
      sender: params.sender,
      openBlock: params.open_block,
      balance: body.balance,
      balanceSignature: body.balance_signature,
      auth,
    });
  },
);
