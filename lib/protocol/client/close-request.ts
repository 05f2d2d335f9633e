/**
 * The cooperative close handshake: a signed close request to the site's gateway, answered by the
 * receiver's closing signature.
 */
import { bytesToHex, isAddressEqual, type Hex } from "viem";
import { z } from "zod";
import { recoverClosingProofSigner, signCloseRequest } from "../proofs";
import { signatureSchema } from "../wire";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { domainOf, messageOf, signerSource } from "./signing";
import type { PayerChannel } from "./types";

const closeResponseSchema = z.object({ close_signature: signatureSchema });

/**
 * Asks the site for its closing signature (DELETE …/channels/:sender/:open_block) and checks it.
 *
 * @throws {PayerError} "site-unreachable", "payment-refused" (the site said no), "bad-terms" (no
 *   signature in the answer) or "tampered-proof" (not signed by the receiver).
 */
export async function requestClosingSignature(
  ctx: PayerContext,
  channel: PayerChannel,
  balanceSignature: Hex,
  { siteOrigin, gatewayPath }: { siteOrigin: string; gatewayPath: string },
): Promise<Hex> {
  const nonce = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
  const signature = await signCloseRequest({
    ...signerSource(ctx, channel),
    domain: domainOf(channel),
    message: { ...messageOf(channel, channel.balance), nonce, expires },
  });
  const url = `${siteOrigin.replace(/\/$/, "")}${gatewayPath}/channels/${channel.sender}/${channel.openBlock}`;
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: "DELETE",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({
        balance: channel.balance.toString(),
        balance_signature: balanceSignature,
        close_request: { nonce, expires: expires.toString(), signature },
      }),
    });
  } catch (cause) {
    throw new PayerError("site-unreachable", `${siteOrigin} did not answer the close request.`, {
      cause,
    });
  }
  const text = await res.text();
  if (!res.ok) {
    let error = text.slice(0, 200);
    try {
      error = (JSON.parse(text) as { error?: string }).error ?? error;
    } catch {
      // not JSON: keep the text
    }
    throw new PayerError(
      "payment-refused",
      `${siteOrigin} refused to close (${res.status}): ${error}`,
    );
  }
  let closing: Hex;
  try {
    closing = closeResponseSchema.parse(JSON.parse(text)).close_signature;
  } catch (cause) {
    throw new PayerError(
      "bad-terms",
      `${siteOrigin} answered the close with no closing signature.`,
      {
        cause,
      },
    );
  }
  const by = await recoverClosingProofSigner(
    domainOf(channel),
    messageOf(channel, channel.balance),
    closing,
  );
  if (!by || !isAddressEqual(by, channel.receiver)) {
    throw new PayerError(
      "tampered-proof",
      `${siteOrigin}'s closing signature is not by the receiver ${channel.receiver}.`,
    );
  }
  return closing;
}
