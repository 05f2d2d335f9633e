/**
 * Paying an article from the browser: a payer over the site's RPC URL and this browser's
 * IndexedDB, which never opens or tops up a channel by itself, and one call that pays a path,
 * then records the payment in the local history and against the auto-pay cap.
 */
import type { Address, LocalAccount, PublicClient, WalletClient } from "viem";
import {
  createPayer,
  type Payer,
  type PayerChannel,
  type PayerEvent,
  type SpendingPolicy,
} from "@/lib/protocol/client";
import { channelKey, indexedDbChannelStore, type IndexedDbStoreOptions } from "./channel-store";
import { appendHistory } from "./history";
import { sitePublicClient } from "./site-chain";

/** The `performance.mark` recorded when a payment starts. */
export const PAY_START_MARK = "paychan:pay-start";

/** What a browser payer needs. */
export interface BrowserPayerOptions {
  chainId: number;
  rpcUrl: string;
  /** The chain client to use instead of a new one over `rpcUrl`. */
  publicClient?: PublicClient;
  contract: Address;
  token?: Address;
  /** The reader's wallet address (the channels' sender). */
  sender: Address;
  /** The connected wallet; absent when only the session key pays (auto-pay). */
  walletClient?: WalletClient;
  /** The session key that signs the proofs of channels naming it (auto-pay). */
  sessionKey?: LocalAccount;
  /**
   * Charge the session key's signatures to the sender's auto-pay cap at signing time (refused when
   * auto-pay is off or the cap would be exceeded, whichever tab signs).
   */
  autoPay?: boolean;
  /** Extra limits (`autoDeposit` is always false: deposits happen only when the reader asks). */
  policy?: Omit<SpendingPolicy, "autoDeposit">;
  onEvent?: (event: PayerEvent) => void;
  fetch?: typeof fetch;
  pollingIntervalMs?: number;
  /** Where recovery looks for the reader's channels (the contract's deployment block). */
  fromBlock?: bigint;
  /**
   * The channels as just read from this browser's database: the payer starts from them instead
   * of reading them again (see `IndexedDbStoreOptions.channels`).
   */
  channels?: readonly PayerChannel[];
  /** A payment nobody confirmed: see `IndexedDbStoreOptions.automatic`. */
  automatic?: IndexedDbStoreOptions["automatic"];
}

/** What a payment of one article did. */
export interface ArticlePayment {
  response: Response;
  /** Present when a proof was accepted (a 2xx for a signed balance). */
  paid?: { price: bigint; charged: bigint; balance: bigint; channel: PayerChannel };
}

/** A browser payer: the payer core, plus `payArticle`. */
export interface BrowserPayer {
  payer: Payer;
  /**
   * Pays `path` (the site answers 402 JSON, the payer signs and retries); after a 2xx appends the
   * local history. Auto-pay spending is counted when each proof is signed (`autoPay`).
   */
  payArticle(path: string, meta: { title: string; signal?: AbortSignal }): Promise<ArticlePayment>;
}

/**
 * Creates a browser payer.
 *
 * @example
 * const { payArticle } = createBrowserPayer({ ...terms, sender, sessionKey });
 * const { response } = await payArticle("/articles/the-402-status-code", { title });
 */
export function createBrowserPayer(options: BrowserPayerOptions): BrowserPayer {
  let lastPaid: ArticlePayment["paid"];
  const payer = createPayer({
    account: options.sender,
    walletClient: options.walletClient,
    sessionSigner: options.sessionKey,
    publicClient: options.publicClient ?? sitePublicClient(options),
    store: indexedDbChannelStore({
      channels: options.channels,
      automatic: options.automatic,
      ...(options.autoPay && options.sessionKey
        ? {
            autopay: {
              chainId: options.chainId,
              contract: options.contract,
              sender: options.sender,
            },
          }
        : {}),
    }),
    contract: options.contract,
    token: options.token,
    chainId: options.chainId,
    policy: { ...options.policy, autoDeposit: false },
    fetch: options.fetch,
    pollingIntervalMs: options.pollingIntervalMs,
    fromBlock: options.fromBlock,
    onEvent: (event) => {
      if (event.type === "paid") {
        lastPaid = {
          price: event.price,
          charged: event.charged,
          balance: event.balance,
          channel: event.channel,
        };
      }
      options.onEvent?.(event);
    },
  });

  async function payArticle(
    path: string,
    meta: { title: string; signal?: AbortSignal },
  ): Promise<ArticlePayment> {
    lastPaid = undefined;
    if (typeof performance !== "undefined") performance.mark(PAY_START_MARK);
    const response = await payer.fetch(path, {
      headers: { accept: "application/json" },
      signal: meta.signal,
    });
    // Set by the payer's "paid" event during the fetch above.
    const paid = response.ok ? (lastPaid as ArticlePayment["paid"]) : undefined;
    if (paid) {
      const bySessionKey =
        options.sessionKey !== undefined &&
        paid.channel.signer.toLowerCase() === options.sessionKey.address.toLowerCase();
      await appendHistory({
        path,
        title: meta.title,
        amount: paid.price.toString(),
        balance: paid.balance.toString(),
        channel: channelKey(paid.channel),
        mode: bySessionKey ? "auto" : "confirm",
        time: Date.now(),
      });
    }
    return { response, paid };
  }

  return { payer, payArticle };
}
