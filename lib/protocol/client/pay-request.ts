/**
 * The 402 loop: check the site's terms, sign the next balance proof on a channel that covers the
 * price, send the request again, and react to the site's refusals until it serves the request.
 */
import type { Hex } from "viem";
import { encodePaymentHeaders, FAILURE_TEXT, type PaymentTerms } from "../terms";
import { readChannel } from "./chain";
import { adopt, channelFor } from "./channels";
import { checkPolicy, checkTerms, failureAction, type TrustedTerms } from "./decide";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { decodeTerms, send, type RequestTemplate } from "./request-template";
import { signProof } from "./signing";
import type { PayerChannel } from "./types";
import { confirmationsTimeout, siteLags, sleep, waitBlocks } from "./waiting";

/** What a paid request carried. */
interface SentProof {
  channel: PayerChannel;
  balance: bigint;
  signature: Hex;
  price: bigint;
  headers: Record<string, string>;
}

/** The terms the payer trusts for `origin`: given, else pinned, else from the store's channels. */
async function trustedFor(ctx: PayerContext, origin: string): Promise<TrustedTerms> {
  const { options } = ctx;
  let pin = ctx.pins.get(origin);
  if (!pin) {
    const known = (await ctx.store.list())
      .filter((c) => c.siteOrigin === origin)
      .sort((a, b) => b.openBlock - a.openBlock)[0];
    if (known) pin = { contract: known.contract, token: known.token, chainId: known.chainId };
  }
  return {
    contract: options.contract ?? pin?.contract,
    token: options.token ?? (options.contract ? undefined : pin?.token),
    chainId: options.chainId ?? pin?.chainId,
  };
}

async function checkSite(ctx: PayerContext, origin: string, terms: PaymentTerms): Promise<void> {
  const refusal = checkTerms(terms, await trustedFor(ctx, origin), origin);
  if (refusal) throw refusal;
  const chainCtx = await ctx.chainContext();
  if (chainCtx.chain.id !== terms.chainId) {
    throw new PayerError(
      "wrong-chain",
      `${origin} asks for payment on chain ${terms.chainId}, but the RPC node is on chain ${chainCtx.chain.id}.`,
    );
  }
  if (!ctx.pins.has(origin)) {
    ctx.pins.set(origin, { contract: terms.contract, token: terms.token, chainId: terms.chainId });
  }
}

/**
 * Answers 402s until the site serves the request (or the payer gives up); stores the new balance
 * only after a 2xx.
 *
 * @param t - The buffered request.
 * @param first - The site's first answer, a 402.
 * @throws {PayerError} when the site's terms or refusals leave nothing to pay.
 */
export async function payRequest(
  ctx: PayerContext,
  t: RequestTemplate,
  first: Response,
): Promise<Response> {
  const { emit } = ctx;
  const origin = new URL(t.url).origin;
  let res = first;
  let sent: SentProof | undefined;
  let roundTrips = 0;
  let deadline: number | undefined;
  const waitDeadline = () => (deadline ??= Date.now() + ctx.timeoutMs);
  let lastReason: keyof typeof FAILURE_TEXT = "payment-required";

  while (res.status === 402) {
    const terms = decodeTerms(res, origin);
    await res.body?.cancel().catch(() => {});
    await checkSite(ctx, origin, terms);
    lastReason = terms.failure?.reason ?? "payment-required";
    emit({ type: "payment-required", url: t.url, price: terms.price, reason: lastReason });

    if (sent) {
      const action = failureAction(terms, await ctx.latest(sent.channel), sent.balance);
      if (action.type === "refuse") {
        throw new PayerError("payment-refused", `${origin} refused the payment: ${action.text}`, {
          details: { reason: action.reason, url: t.url },
        });
      }
      if (action.type === "wait-confirmations") {
        emit({ type: "waiting-confirmations", channel: sent.channel, missing: action.blocks });
        await waitBlocks(ctx, action.blocks, waitDeadline());
        res = await send(ctx.fetch, t, sent.headers);
        continue;
      }
      if (action.type === "wait-deposit" || action.type === "check-channel") {
        if (action.type === "wait-deposit" || (await siteLags(ctx, sent.channel))) {
          if (Date.now() >= waitDeadline()) throw confirmationsTimeout(ctx, sent.channel);
          emit({ type: "waiting-for-site", channel: sent.channel, reason: lastReason });
          await sleep(ctx.pollingIntervalMs);
          res = await send(ctx.fetch, t, sent.headers);
          continue;
        }
      } else if (action.type === "adopt") {
        await adopt(ctx, sent.channel, action.lastProof);
      } else if (action.type === "top-up") {
        const info = await readChannel(
          await ctx.chainContext(),
          sent.channel.contract,
          sent.channel,
        );
        const current = await ctx.latest(sent.channel);
        if (info && info.deposit !== current.deposit)
          await ctx.save({ ...current, deposit: info.deposit });
      }
    }
    if (++roundTrips > ctx.maxRoundTrips) {
      throw new PayerError(
        "payment-refused",
        `${origin} kept refusing the payment after ${ctx.maxRoundTrips} attempts: ${FAILURE_TEXT[lastReason]}`,
        { details: { reason: lastReason, url: t.url } },
      );
    }
    const refusal = checkPolicy(terms.price, ctx.policy, ctx.spent);
    if (refusal) throw refusal;
    const channel = await channelFor(ctx, terms, origin);
    const balance = channel.balance + terms.price;
    const signature = await signProof(ctx, channel, balance);
    const headers = encodePaymentHeaders({
      sender: ctx.sender,
      openBlock: channel.openBlock,
      balance,
      signature,
      receiver: channel.receiver,
      contract: channel.contract,
    });
    sent = { channel, balance, signature, price: terms.price, headers };
    res = await send(ctx.fetch, t, headers);
  }

  if (sent && res.ok) {
    const channel = await ctx.save({
      ...(await ctx.latest(sent.channel)),
      balance: sent.balance,
      signature: sent.signature,
    });
    ctx.spent += sent.price;
    emit({ type: "paid", url: t.url, channel, price: sent.price, balance: sent.balance });
  }
  return res;
}
