/**
 * The cooperative close handshake: a signed close request to the site's gateway, answered by the
 * receiver's closing signature.
 */
import { bytesToHex, isAddressEqual, type Hex } from "viem";
import { z } from "zod";
import { recoverClosingProofSigner, signCloseRequest, type ProofSignerSource } from "../proofs";
import type { LastProof } from "../terms";
import { signatureSchema, uint192Schema } from "../wire";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { domainOf, messageOf, signerSource } from "./signing";
import type { PayerChannel } from "./types";

const closeResponseSchema = z.object({
  close_signature: signatureSchema,
  // Sent by this site since it accepts a close without the client's proof; absent from others.
  balance_signature: signatureSchema.optional(),
});

/** The site's answer to a close at a balance that is not its last accepted one. */
const staleBalanceSchema = z.object({
  balance: uint192Schema,
  balance_signature: signatureSchema.nullable(),
});

/** What the site signed for a cooperative close. */
export interface ClosingAnswer {
  closingSignature: Hex;
  /** The balance proof the close is for: ours, or the site's copy when we sent none. */
  balanceSignature?: Hex;
}

/**
 * Asks the site for its closing signature at `channel.balance` (DELETE
 * …/channels/:sender/:open_block) and checks it. Without `balanceSignature` the site closes at its
 * own copy of the proof for that balance. The close request is signed by the channel's signer, or
 * by the sender when this payer does not hold the signer.
 *
 * @throws {PayerError} "site-unreachable", "payment-refused" (the site said no; for a stale
 *   balance `details.lastProof` holds the site's last accepted balance and proof), "bad-terms" (no
 *   signature in the answer) or "tampered-proof" (not signed by the receiver).
 */
export async function requestClosingSignature(
  ctx: PayerContext,
  channel: PayerChannel,
  balanceSignature: Hex | undefined,
  { siteOrigin, gatewayPath }: { siteOrigin: string; gatewayPath: string },
): Promise<ClosingAnswer> {
  const nonce = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
  const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
  const signature = await signCloseRequest({
    ...closeRequestSigner(ctx, channel),
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
    let lastProof: LastProof | undefined;
    try {
      const body = JSON.parse(text) as { error?: string };
      error = body.error ?? error;
      const stale = res.status === 409 ? staleBalanceSchema.safeParse(body) : undefined;
      if (stale?.success) {
        lastProof = {
          sender: channel.sender,
          balance: stale.data.balance,
          signature: stale.data.balance_signature,
        };
      }
    } catch {
      // not JSON: keep the text
    }
    throw new PayerError(
      "payment-refused",
      `${siteOrigin} refused to close (${res.status}): ${error}`,
      { details: lastProof ? { lastProof } : {} },
    );
  }
  let closing: Hex;
  let siteProof: Hex | undefined;
  try {
    const body = closeResponseSchema.parse(JSON.parse(text));
    closing = body.close_signature;
    siteProof = body.balance_signature;
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
  return { closingSignature: closing, balanceSignature: balanceSignature ?? siteProof };
}

/** Who signs a close request: the channel's signer when held, else the sender. */
function closeRequestSigner(ctx: PayerContext, channel: PayerChannel): ProofSignerSource {
  if (ctx.signers.some((s) => isAddressEqual(s, channel.signer))) return signerSource(ctx, channel);
  return signerSource(ctx, { ...channel, signer: ctx.sender });
}
