/**
 * What the server hands the browser's paywall (the React paywall page renders the client island
 * with these props). Plain JSON: amounts are decimal strings of token base units.
 */
import type { Address } from "viem";

/** The deployment a browser pays on, as the site announces it. */
export interface SiteTerms {
  receiver: Address;
  contract: Address;
  token: Address;
  chainId: number;
  /** A JSON-RPC URL the browser may read the chain from (PUBLIC_RPC_URL, default RPC_URL). */
  rpcUrl: string;
  /** The local development chain (31337): the paywall offers "get test tokens" (the token's `mint()`). */
  localChain: boolean;
  /**
   * The site relays (RELAY_ENABLED): it sends cooperative closes (and, with an EIP-3009 token,
   * opens and top-ups: `relay`) for the reader and pays their gas, so a wallet without ETH can
   * use channels.
   */
  relayCloses: boolean;
  /** WalletConnect is offered only when a project id is configured. */
  walletConnectProjectId?: string;
  /** The contract's deployment block: where a browser looks for the reader's channels. */
  startBlock: number;
  /** The REST API base path (`/api/1`). */
  gatewayPath: string;
  tokenSymbol: string;
  tokenDecimals: number;
  /** A typical article price (the median), the basis of the default deposit. */
  typicalPrice: string;
  /**
   * The site opens and tops up channels for the reader (one signature, no ETH): present only when
   * it relays and the token implements EIP-3009 (the 402 body's `relay`).
   */
  relay?: SiteRelay;
}

/** The site's relay offer as the paywall gets it. */
export interface SiteRelay {
  /** The open route (`/api/1/channels`); top-ups go to `<url>/<sender>/<open_block>/topups`. */
  url: string;
  /** The smallest relayed deposit or top-up (base units, decimal string). */
  minDeposit: string;
  /** Seconds an authorization must still be valid when it reaches the site. */
  minValiditySeconds: number;
}

/** One paywalled article as the paywall island sees it. */
export interface PaywallProps {
  terms: SiteTerms;
  /** The paid URL's path, e.g. `/articles/the-402-status-code`. */
  path: string;
  title: string;
  /** What this request costs now (RDN-Price). */
  price: string;
  /** Why the site asked for payment (FAILURE_TEXT of the failure), for people. */
  reason: string;
  /**
   * The failure the site reported for the request that rendered this page, if any
   * (`insufficient-funds`, `nonexisting-channel`, …), e.g. from RDN-* cookies.
   */
  failure?: string;
  /**
   * Whether the reader asked for this page (a navigation within the site or their own action,
   * from the request's Fetch Metadata): only then does auto-pay pay without a click.
   */
  autoPay?: boolean;
  /**
   * What is paid for: an article (default; after payment the page shows it) or a paid image, API
   * route or upstream page (after payment the paywall shows what the paid request returned).
   */
  kind?: "article" | "media" | "api" | "upstream";
}
