import { faucetBodySchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { clientIp } from "@/lib/relay/client-ip";
import { grantTestTokens } from "@/lib/relay/faucet";
import { relayAnswer } from "@/lib/relay/relay";

export const dynamic = "force-dynamic";

/**
 * Test tokens for a wallet without ETH, on the local development chain only (404 elsewhere):
 * body `{ address }`; the receiver mints 20 whole tokens to it with the token's `mintTo` → 201
 * `{ tx_hash, address, amount }` once mined, or 202 with a status URL. One grant per address
 * every 10 minutes (429).
 */
// POST /api/1/faucet
export const POST = apiRoute({ auth: "none", body: faucetBodySchema }, async ({ req, body }) =>
  relayAnswer(await grantTestTokens(body.address, clientIp(req))),
);
