/**
 * The 402 loop: check the site's terms, sign the next balance proof on a channel that covers the
 * price, send the request again, and react to the site's refusals until it serves the request.
 */
import { isAddressEqual, type Hex } from "viem";
import {
  encodePaymentHeaders,
  FAILURE_TEXT,
  relayOfferSchema,
  type PaymentTerms,
  type RelayOffer,
} from "../terms";
import { readChannel } from "./chain";
import { adopt, channelFor } from "./channels";
import { checkCharge, checkPolicy, checkTerms, failureAction, type TrustedTerms } from "./decide";
import { PayerError } from "./errors";
import type { PayerContext } from "./payer-context";
import { readJsonBody } from "./relay";
import { decodeTerms, send, type RequestTemplate } from "./request-template";
import { signProof } from "./signing";
import { highestSigned, type PayerChannel } from "./types";
import { confirmationsTimeout, siteLags, sleep, waitBlocks } from "./waiting";

/** What a paid request carried. */
interface SentProof {
  channel: PayerChannel;
  balance: bigint;
  signature: Hex;
  price: bigint;
  /** What this signature added above the highest balance signed before it. */
  charged: bigint;
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
    if (known) {
      pin = {
        contract: known.contract,
        token: known.token,
        chainId: known.chainId,
        // A settled channel binds nothing: its receiver may be replaced.
        ...(known.state === "settled" ? {} : { receiver: known.receiver }),
      };
    }
  }
  return {
    contract: options.contract ?? pin?.contract,
    token: options.token ?? (options.contract ? undefined : pin?.token),
    chainId: options.chainId ?? pin?.chainId,
    receiver: pin?.receiver,
  };
}

/**
 * Checks a site's terms against what the payer trusts for `origin` and the RPC node's chain, and
 * pins them for the origin on first contact.
 *
 * @throws {PayerError} "foreign-contract" or "wrong-chain"
 */
export async function checkSite(
  ctx: PayerContext,
  origin: string,
  terms: PaymentTerms,
): Promise<void> {
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
    ctx.pins.set(origin, {
      contract: terms.contract,
      token: terms.token,
      chainId: terms.chainId,
      receiver: terms.receiver,
    });
  }
}

/**
 * The relay offer in a 402's JSON body (`relay`), when there is a valid one; the body is consumed
 * either way (an HTML or malformed body offers nothing).
 */
async function relayOfferOf(res: Response): Promise<RelayOffer | undefined> {
  if (!/\bjson\b/i.test(res.headers.get("content-type") ?? "")) {
    await res.body?.cancel().catch(() => {});
    return undefined;
  }
  const body = await readJsonBody(res);
  const offer = relayOfferSchema.safeParse((body as { relay?: unknown } | undefined)?.relay);
  return offer.success ? offer.data : undefined;
}

/** The origin that answered `res` (the request's own unless it followed a redirect). */
function answeringUrl(res: Response, requested: string): string {
  return res.redirected && res.url ? res.url : requested;
}

/**
 * Answers 402s until the site serves the request (or the payer gives up); stores the new balance
 * only after a 2xx.
 *
 * Every signature is reserved before it is made and counts toward `maxPrice` (per request) and
 * `budget` for what it adds above the highest balance signed on its channel, whatever the site
 * answers. Proofs go only to the origin whose terms were read (the URL that answered 402, after
 * any redirect of the unpaid request), with redirects not followed. One request re-signs after a
 * corrective 402 at most `maxCorrections` times; a site that keeps the proof just sent and asks
 * again is reported ("paid-not-served").
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
  // The proofs go where the terms came from, and never follow a redirect.
  t = { ...t, url: answeringUrl(first, t.url), init: { ...t.init, redirect: "manual" } };
  const origin = new URL(t.url).origin;
  let res = first;
  let sent: SentProof | undefined;
  let roundTrips = 0;
  let corrections = 0;
  /** Set when the site answered with the very proof just sent: it holds it, and asked again. */
  let kept: SentProof | undefined;
  let requestCharged = 0n;
  let deadline: number | undefined;
  const waitDeadline = () => (deadline ??= Date.now() + ctx.timeoutMs);
  let lastReason: keyof typeof FAILURE_TEXT = "payment-required";

  const notServed = (proof: SentProof, cause?: unknown) =>
    new PayerError(
      "paid-not-served",
      `${origin} kept the balance proof for ${proof.balance} (it can cash it) and asked for payment again; ` +
        `nothing more was signed for ${t.url}.`,
      { cause, details: { balance: proof.balance, url: t.url, charged: requestCharged } },
    );

  while (res.status === 402) {
    const terms = decodeTerms(res, origin);
    const relay = await relayOfferOf(res);
    if (relay) terms.relay = relay;
    await checkSite(ctx, origin, terms);
    if (relay) ctx.relays.set(origin, relay);
    else ctx.relays.delete(origin);
    lastReason = terms.failure?.reason ?? "payment-required";
    emit({ type: "payment-required", url: t.url, price: terms.price, reason: lastReason });

    if (sent) {
      const current = await ctx.latest(sent.channel);
      const action = failureAction(terms, current, sent.balance);
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
        const keptNow =
          sent.charged > 0n &&
          action.lastProof.balance === sent.balance &&
          isAddressEqual(action.lastProof.sender, sent.channel.sender);
        await adopt(ctx, sent.channel, action.lastProof);
        if (action.lastProof.balance > sent.balance && sent.charged > 0n) {
          // The site held a higher proof of ours (signed elsewhere): the one just signed adds
          // nothing it can cash.
          requestCharged -= sent.charged;
          ctx.spent -= sent.charged;
        }
        if (keptNow) {
          if (kept) throw notServed(sent);
          kept = sent;
        }
        if (++corrections > ctx.maxCorrections) {
          if (kept) throw notServed(sent);
          throw new PayerError(
            "payment-refused",
            `${origin} corrected the balance ${corrections} times for one request; nothing more was signed for ${t.url}.`,
            { details: { reason: lastReason, url: t.url, corrections } },
          );
        }
      } else if (action.type === "top-up") {
        const info = await readChannel(
          await ctx.chainContext(),
          sent.channel.contract,
          sent.channel,
        );
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
    if (refusal) throw kept ? notServed(kept, refusal) : refusal;
    const channel = await channelFor(ctx, terms, origin);
    const balance = channel.balance + terms.price;
    let charged: bigint;
    try {
      charged = await ctx.reserve(channel, balance, (charge) =>
        checkCharge(charge, { request: requestCharged, spent: ctx.spent }, ctx.policy),
      );
    } catch (err) {
      throw kept ? notServed(kept, err) : err;
    }
    requestCharged += charged;
    ctx.spent += charged;
    const signature = await signProof(ctx, channel, balance);
    emit({ type: "signed", url: t.url, channel, balance, charged });
    const headers = encodePaymentHeaders({
      sender: ctx.sender,
      openBlock: channel.openBlock,
      balance,
      signature,
      receiver: channel.receiver,
      contract: channel.contract,
    });
    sent = { channel, balance, signature, price: terms.price, charged, headers };
    res = await send(ctx.fetch, t, headers);
  }

  if (sent && res.ok) {
    const latest = await ctx.latest(sent.channel);
    const channel = await ctx.save({
      ...latest,
      balance: sent.balance,
      signature: sent.signature,
      ...(highestSigned(latest) > sent.balance ? { signed: highestSigned(latest) } : {}),
    });
    emit({
      type: "paid",
      url: t.url,
      channel,
      price: sent.price,
      balance: sent.balance,
      charged: requestCharged,
    });
  }
  return res;
}
