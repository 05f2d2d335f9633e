/**
 * Discovery for programs: `GET /api/1/prices` (every paid resource and its price, with the
 * deployment a payer needs) and `GET /llms.txt` (the same in prose, with the exact payment steps).
 */
import type { Address } from "viem";
import { chainConfig } from "@/lib/chain/config";
import { tokenInfo } from "@/lib/chain/token-info";
import { ECHO_FIX_PRICE } from "@/lib/content/echo";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { upstreamPrice } from "@/lib/paywall/upstream-price";
import { formatToken } from "@/lib/format";
import { GATEWAY_PATH, RDN } from "@/lib/protocol/headers";
import type { RelayOfferJson } from "@/lib/protocol/terms";
import { relayOffer } from "@/lib/relay/offer";
import { caip2, RDN_CHANNEL_SCHEME } from "@/lib/protocol/x402-channel";
import { exactRequirement } from "@/lib/x402/exact-offer";
import { RDN_CHANNEL_TIMEOUT_SECONDS } from "@/lib/x402/rdn-channel";

/** What kind of thing a paid resource is. */
export type ResourceKind = "article" | "media" | "api" | "upstream";

/** One paid resource. `{name}` in a path is a placeholder the caller fills in. */
export interface PricedResource {
  path: string;
  method: "GET";
  /**
   * Price in token base units, a decimal string. For a route whose price is given in its path
   * (`/api/echo/dyn/{amount}`) it is that placeholder, `"{amount}"`.
   */
  price: string;
  /** The price for people in the token's unit, e.g. `"$0.05"` (dUSD) or `"1 TKN"`. */
  price_label: string;
  kind: ResourceKind;
  title?: string;
}

/** The `GET /api/1/prices` body. */
export interface PricesJson {
  receiver: Address;
  contract: Address;
  token: Address;
  chain_id: number;
  /** Base path of the REST API (`RDN-Gateway-Path`). */
  gateway: typeof GATEWAY_PATH;
  token_symbol: string;
  token_decimals: number;
  /** Blocks a channel's creation needs on top of it before its deposit can be spent. */
  confirmations: number;
  /** Seconds within which the same paid request may be sent again without a second charge. */
  payment_retry_seconds: number;
  /**
   * Seconds a paid article's receipt cookie lets the same browser read it again without paying
   * (`RECEIPT_TTL_SECONDS`; 0: no receipts).
   */
  receipt_seconds: number;
  resources: PricedResource[];
  /** The site's relay offer (opens and top-ups with one signature, no ETH), when it relays. */
  relay?: RelayOfferJson;
  /**
   * The x402 v2 schemes every paid resource accepts (`PAYMENT-REQUIRED` on each 402 carries the
   * offers): the channel as `rdn-channel`, and `exact` when the token implements EIP-3009.
   */
  x402: X402Json;
}

/** The x402 part of the price list. */
export interface X402Json {
  version: 2;
  /** `rdn-channel` always (listed first: it is the cheaper); `exact` with an EIP-3009 token. */
  schemes: string[];
  /** CAIP-2 network of the offers, `eip155:<chain_id>`. */
  network: string;
  /** The channel as an x402 scheme (docs/protocol.md "x402 scheme `rdn-channel`"). */
  rdn_channel: { challenge_period: number; max_timeout_seconds: number };
  /** The token's EIP-712 name and version an `exact` authorization is signed in. */
  exact?: { name: string; version: string; max_timeout_seconds: number };
}

/** The x402 schemes offered here (never throws: an RPC failure only leaves `exact` out). */
async function x402Terms(cfg: Awaited<ReturnType<typeof chainConfig>>): Promise<X402Json> {
  const identity = {
    receiver: cfg.receiver.address,
    contract: cfg.deployment.contract,
    token: cfg.deployment.token,
    chainId: cfg.deployment.chainId,
  };
  const exact = await exactRequirement({ chain: cfg, identity, price: 1n }).catch(() => undefined);
  return {
    version: 2,
    schemes: [RDN_CHANNEL_SCHEME, ...(exact ? ["exact"] : [])],
    network: caip2(identity.chainId),
    rdn_channel: {
      challenge_period: cfg.deployment.challengePeriod,
      max_timeout_seconds: RDN_CHANNEL_TIMEOUT_SECONDS,
    },
    ...(exact
      ? {
          exact: {
            name: String(exact.extra.name),
            version: String(exact.extra.version),
            max_timeout_seconds: exact.maxTimeoutSeconds,
          },
        }
      : {}),
  };
}

/**
 * Lists every paid resource of the site with its price (published articles only; the upstreams of
 * UPSTREAM_URL and of the admin pages), and the deployment to pay on.
 *
 * @throws {@link ConfigError} (503) or {@link ChainUnavailableError} (502) when the chain
 *   configuration cannot be loaded
 * @example
 * const { contract, resources } = await listPrices();
 */
export async function listPrices(): Promise<PricesJson> {
  const cfg = await chainConfig();
  const { deployment, receiver } = cfg;
  const unit = await tokenInfo();
  const label = (price: bigint) => formatToken(price, unit);
  const e = env();
  const [articles, media, upstreams] = await Promise.all([
    db().article.findMany({
      where: { published: true },
      select: { slug: true, title: true, price: true },
      orderBy: { slug: "asc" },
    }),
    db().media.findMany({ select: { path: true, price: true }, orderBy: { path: "asc" } }),
    db().upstreamRoute.findMany({
      select: { prefix: true, price: true },
      orderBy: { prefix: "asc" },
    }),
  ]);
  const [relay, x402] = await Promise.all([relayOffer(cfg), x402Terms(cfg)]);
  const resources: PricedResource[] = [];
  for (const a of articles) {
    const price = BigInt(a.price);
    if (price === 0n) continue;
    resources.push({
      path: `/articles/${a.slug}`,
      method: "GET",
      price: price.toString(),
      price_label: label(price),
      kind: "article",
      title: a.title,
    });
  }
  for (const m of media) {
    const price = BigInt(m.price);
    if (price === 0n) continue;
    resources.push({
      path: `/media/${m.path}`,
      method: "GET",
      price: price.toString(),
      price_label: label(price),
      kind: "media",
    });
  }
  resources.push(
    {
      path: "/api/echo/fix/{text}",
      method: "GET",
      price: ECHO_FIX_PRICE.toString(),
      price_label: label(ECHO_FIX_PRICE),
      kind: "api",
      title: "Echoes {text} back as JSON",
    },
    {
      path: "/api/echo/dyn/{amount}",
      method: "GET",
      price: "{amount}",
      price_label: `{amount} base units of ${unit.symbol}`,
      kind: "api",
      title: "Echoes {amount} back as JSON; costs {amount} base units (0 is free)",
    },
  );
  const upstream = e.UPSTREAM_URL ? await upstreamPrice() : 0n;
  if (e.UPSTREAM_URL && upstream > 0n) {
    resources.push({
      path: `${e.UPSTREAM_PREFIX.replace(/\/+$/, "")}/{path}`,
      method: "GET",
      price: upstream.toString(),
      price_label: label(upstream),
      kind: "upstream",
      title: "Content of the paywalled upstream site, per request",
    });
  }
  for (const u of upstreams) {
    const price = BigInt(u.price);
    if (price === 0n) continue;
    resources.push({
      path: `${u.prefix}/{path}`,
      method: "GET",
      price: price.toString(),
      price_label: label(price),
      kind: "upstream",
      title: `Content under ${u.prefix}, per request`,
    });
  }
  return {
    receiver: receiver.address,
    contract: deployment.contract,
    token: deployment.token,
    chain_id: deployment.chainId,
    gateway: GATEWAY_PATH,
    token_symbol: unit.symbol,
    token_decimals: unit.decimals,
    confirmations: e.CONFIRMATIONS,
    payment_retry_seconds: e.PAYMENT_RETRY_SECONDS,
    receipt_seconds: e.RECEIPT_TTL_SECONDS,
    resources,
    ...(relay ? { relay } : {}),
    x402,
  };
}

/**
 * The site's `/llms.txt`: what it sells and exactly how a program pays, written from the live
 * deployment so that every address and the chain id are the ones to use.
 *
 * @param origin the site's public origin (`SITE_URL`), used for absolute links
 */
export function llmsText(prices: PricesJson, origin: string): string {
  const base = origin.replace(/\/+$/, "");
  const line = (r: PricedResource) =>
    `- ${r.method} ${base}${r.path}: ${r.price_label}${r.title ? `: ${r.title}` : ""}`;
  const byKind = (kind: ResourceKind) => prices.resources.filter((r) => r.kind === kind);
  const section = (title: string, kind: ResourceKind) => {
    const rs = byKind(kind);
    return rs.length ? [`### ${title}`, ...rs.map(line), ""] : [];
  };
  const h = RDN;
  return [
    "# paychan-press",
    "",
    "> A pay-per-article site. Every article, media file and paid API route costs a few tokens,",
    "> paid off chain through an Ethereum payment channel (a µRaiden-style unidirectional channel",
    "> with cumulative EIP-712 balance proofs). No account, no sign-up: open a channel once, then",
    "> each request carries a signed proof of the new total.",
    "",
    "## Deployment",
    `- Chain id: ${prices.chain_id}`,
    `- Channel contract (MicroTransferChannels): ${prices.contract}`,
    `- Token (ERC-20, ${prices.token_decimals} decimals, symbol ${prices.token_symbol}): ${prices.token}`,
    `- Receiver: ${prices.receiver}`,
    `- REST API (gateway): ${base}${prices.gateway}`,
    `- Machine-readable price list: ${base}/api/1/prices`,
    `- Confirmations a new channel needs before it can pay: ${prices.confirmations}`,
    "",
    "## What is for sale",
    `Prices are in token base units (1 ${prices.token_symbol} = 10^${prices.token_decimals} base units). \`{name}\` is a placeholder.`,
    "",
    ...section("Articles", "article"),
    ...section("Media", "media"),
    ...section("API", "api"),
    ...section("Upstream content", "upstream"),
    "## How to pay",
    `1. Send the request. A paid resource answers \`402 Payment Required\` with the terms in headers: \`${h.price}\` (the price of this request, base units), \`${h.receiver}\`, \`${h.contract}\`, \`${h.token}\`, \`${h.chainId}\`, \`${h.gatewayPath}\`. Check that the contract and chain id are the ones above.`,
    `2. Open a channel once: on chain ${prices.chain_id}, call \`approve(${prices.contract}, deposit)\` on the token, then \`createChannel(${prices.receiver}, deposit, 0x0000000000000000000000000000000000000000)\` on the contract (or \`createChannelWithPermit\`, one transaction). The channel is (sender, receiver, openBlockNumber), where openBlockNumber is the block of that transaction. Deposit more than one price: every later payment is free of gas.`,
    ...(prices.relay
      ? [
          `   Without ETH, let the site open it: sign an EIP-3009 \`ReceiveWithAuthorization\` in the token's EIP-712 domain (\`eip712Domain()\`) from you to ${prices.contract} for the deposit (at least ${prices.relay.min_deposit} base units) with nonce \`keccak256(abi.encode(receiver, signer, salt))\`, and \`POST ${base}${prices.relay.url}\` \`{ sender, deposit, signer, salt, valid_after, valid_before, signature }\`: the site sends \`createChannelWithAuthorization\` and pays the gas (201 with \`open_block\`, or 202 with a \`status_url\` to poll). Top-ups: \`POST ${base}${prices.relay.url}/{sender}/{openBlock}/topups\`.`,
        ]
      : []),
    `3. Sign an EIP-712 BalanceProof (\`eth_signTypedData_v4\`) with domain \`{ name: "MicroTransferChannels", version: "1", chainId: ${prices.chain_id}, verifyingContract: ${prices.contract} }\` and type \`BalanceProof(address sender,address receiver,uint32 openBlockNumber,uint192 balance)\`. \`balance\` is cumulative: the previous accepted balance plus exactly the price.`,
    `4. Send the same request again with \`${h.sender}\`, \`${h.openBlock}\`, \`${h.balance}\` (the new balance) and \`${h.signature}\`. \`200\` means paid and served; the response repeats the accepted balance.`,
    `5. A \`402\` with \`${h.insufficientConfirmations}\` means wait for blocks; \`${h.invalidAmount}\` comes with \`${h.balance}\`/\`${h.signature}\` of the last balance the site accepted: continue from there; \`${h.insufficientFunds}\` means top up (\`topUp\` on the contract).`,
    `6. Retries: if the response is lost, send the exact same request with the same proof within ${prices.payment_retry_seconds} seconds of the payment and it is served again without a second charge. After that the proof is spent.`,
    `7. Closing: \`DELETE ${base}${prices.gateway}/channels/{sender}/{openBlock}\` with the last proof and a signed close request returns the receiver's closing signature for \`cooperativeClose\` on the contract; without it, \`uncooperativeClose\` then \`settle\` after the challenge period.`,
    "",
    "## Paying with x402",
    `Every 402 also carries the x402 v2 header \`PAYMENT-REQUIRED\` (base64 JSON) on \`${prices.x402.network}\`. Its \`accepts\` lists, first, the scheme \`rdn-channel\`: the channel above in x402's envelope. Pay it with \`PAYMENT-SIGNATURE\` carrying \`{ x402Version: 2, accepted: <that entry>, payload: { sender, openBlock, balance, signature } }\`, the same BalanceProof as step 3; the answer's \`PAYMENT-RESPONSE\` gives the channel's new balance, and a refusal's \`PAYMENT-REQUIRED.error\` names the failure (\`invalid_amount\`, \`insufficient_funds\`…) with the last accepted proof in \`extra.channel\`. An x402 client pays it with the \`rdnChannel\` plugin of this site's repository (\`lib/protocol/client/x402.ts\`), or \`npm run -s client -- get --protocol x402 <url>\`.`,
    ...(prices.x402.exact
      ? [
          "",
          "### One payment, no channel: `exact`",
          `The second entry is x402's \`exact\` scheme: an EIP-3009 \`TransferWithAuthorization\` of exactly the price from you to ${prices.receiver} in the token ${prices.token} (EIP-712 domain name \`${prices.x402.exact.name}\`, version \`${prices.x402.exact.version}\`). Send the same request again with the signed payload in \`PAYMENT-SIGNATURE\`: the site submits the transfer itself and pays the gas (you need no ETH), and serves the response once it is mined, with \`PAYMENT-RESPONSE\` naming the transaction. Each payment is one transaction: for many small requests a channel is cheaper. A stock x402 client works unmodified (\`@x402/fetch\` with \`@x402/evm\`'s exact client; allow this token in its spend controls, it is not one of its default assets; or \`mppx <url> --protocol x402\`). A paid article sets the same receipt cookie as a channel payment.`,
        ]
      : []),
    "",
    "## The command-line client",
    "From a checkout of this site's repository (`npm install` once), with the payer's key in a file",
    "readable only by its owner (`chmod 600`), or in the PAYER_PRIVATE_KEY environment variable:",
    "",
    "```",
    `npm run -s client -- --rpc-url <RPC URL of chain ${prices.chain_id}> --key-file ./payer.key get ${base}/api/echo/fix/hello`,
    `npm run -s client -- prices ${base}`,
    "```",
    "",
    "It opens a channel when needed, pays each request, keeps its channels in",
    "`~/.config/paychan/channels.json`, and has `channels`, `topup`, `close` and `settle` commands.",
    "",
  ].join("\n");
}
