/**
 * The browser's side of paying: what this browser keeps in IndexedDB (channels, session keys,
 * auto-pay settings, the payment history) and a payer built on it. Browser-safe, framework-free;
 * the paywall island and the wallet page share it.
 *
 * @example
 * // Pay an article by itself when an auto-pay setting, a covering channel and its session key exist.
 * const auto = await findAutoPayment(terms, price);
 * if (auto) {
 *   const { payArticle } = createBrowserPayer({
 *     ...terms,
 *     sender: auto.channel.sender,
 *     sessionKey: auto.sessionKey,
 *     policy: { maxPrice: BigInt(auto.settings.maxPerArticle), budget: remainingUnderCap(auto.settings) },
 *   });
 *   await payArticle(path, { title, autopay: auto.settings });
 * }
 */
export { DB_NAME, closeDb } from "./idb";
export { channelKey, indexedDbChannelStore } from "./channel-store";
export {
  createSessionKey,
  getSessionKey,
  listSessionKeys,
  putSessionKey,
  type StoredSessionKey,
} from "./session-keys";
export {
  autoPayKey,
  checkAutoPay,
  getAutoPay,
  listAutoPay,
  putAutoPay,
  raiseAutoPayCap,
  recordAutoPaySpend,
  remainingUnderCap,
  revokeAutoPay,
  type AutoPayCheck,
  type AutoPayOwner,
  type AutoPaySettings,
  type PayMode,
} from "./autopay";
export { appendHistory, listHistory, type HistoryEntry } from "./history";
export {
  findAutoPayment,
  pickAutoPayment,
  readAutoPayState,
  remaining,
  siteChannels,
  type AutoPayment,
  type AutoPaySite,
  type AutoPayState,
} from "./auto-pay";
export {
  PAY_START_MARK,
  createBrowserPayer,
  type ArticlePayment,
  type BrowserPayer,
  type BrowserPayerOptions,
} from "./pay";
export { siteChain, sitePublicClient, type SiteChainInfo } from "./site-chain";
