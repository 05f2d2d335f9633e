/**
 * The paying side of the protocol: a `fetch` that answers 402s by itself (µRaiden's Session), plus
 * top-up, close and settle. Framework-free and browser-safe; persistence enters through a
 * {@link PayerChannelStore}, signing through a viem account or wallet client.
 */
import {
  bytesToHex,
  createWalletClient,
  custom,
  defineChain,
  isAddressEqual,
  type Address,
  type Chain,
  type Hex,
  type LocalAccount,
  type PublicClient,
  type WalletClient,
} from "viem";
import { z } from "zod";
import { channelDomain } from "../eip712";
import { GATEWAY_PATH } from "../headers";
import {
  recoverBalanceProofSigner,
  recoverClosingProofSigner,
  signBalanceProof,
  signCloseRequest,
  type ProofSignerSource,
} from "../proofs";
import {
  decodePaymentTerms,
  encodePaymentHeaders,
  FAILURE_TEXT,
  PaymentTermsError,
  type LastProof,
  type PaymentTerms,
} from "../terms";
import { signatureSchema } from "../wire";
import {
  checkContractToken,
  checkFunds,
  cooperativeCloseTx,
  openChannelTx,
  readChannel,
  settleTx,
  topUpTx,
  uncooperativeCloseTx,
  type ChainContext,
} from "./chain";
import {
  checkPolicy,
  checkServerProof,
  checkTerms,
  failureAction,
  planPayment,
  type TrustedTerms,
} from "./decide";
import { PayerError } from "./errors";
import {
  DEFAULT_CONFIRMATION_TIMEOUT_MS,
  channelName,
  sameChannel,
  type PayerChannel,
  type PayerChannelStore,
  type PayerEvent,
  type SpendingPolicy,
} from "./types";

/** Options of {@link createPayer}. */
export interface PayerOptions {
  /**
   * The sender: a viem `LocalAccount` (private key), or the address of a JSON-RPC / EIP-1193 wallet
   * account used through `walletClient` (`eth_signTypedData_v4`, `eth_sendTransaction`).
   */
  account: LocalAccount | Address;
  /** Required for a JSON-RPC account; optional for a local account (built over `publicClient`). */
  walletClient?: WalletClient;
  publicClient: PublicClient;
  store: PayerChannelStore;
  policy?: SpendingPolicy;
  /** The channel contract the payer trusts; default: the first one a site names (then remembered). */
  contract?: Address;
  /** The token the payer trusts; default: whatever the trusted contract escrows. */
  token?: Address;
  /** The chain the payer pays on; default: the first one a site names. */
  chainId?: number;
  /** A session key: new channels name it as their signer, and it signs their proofs without prompts. */
  sessionSigner?: LocalAccount;
  /** The fetch used for the site (default: the global one). */
  fetch?: typeof fetch;
  onEvent?: (event: PayerEvent) => void;
  /** Paying 402s answered per request before giving up (default 5). */
  maxRoundTrips?: number;
  /** How often to poll the chain and the site while waiting (default 1000 ms). */
  pollingIntervalMs?: number;
}

/** Result of {@link Payer.close}. */
export interface CloseResult {
  channel: PayerChannel;
  cooperative: boolean;
  txHash: Hex;
  /** Why the site's closing signature was not used (uncooperative close). */
  refusal?: string;
}

/** A payer: see {@link createPayer}. */
export interface Payer {
  /** The sender's address. */
  readonly address: Address;
  /** Like `fetch`, but pays 402s. Request bodies are buffered so the request can be re-sent. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Every channel in the store. */
  channels(): Promise<PayerChannel[]>;
  /** What this payer paid so far (its lifetime). */
  spent(): bigint;
  /** Adds `amount` to a channel's deposit. */
  topUp(channel: PayerChannel, amount: bigint): Promise<PayerChannel>;
  /** Closes a channel: cooperatively through the site, else uncooperatively (challenge period). */
  close(
    channel: PayerChannel,
    options: { siteOrigin: string; gatewayPath?: string },
  ): Promise<CloseResult>;
  /** Settles a closing channel after its challenge period. */
  settle(channel: PayerChannel): Promise<PayerChannel>;
}

const closeResponseSchema = z.object({ close_signature: signatureSchema });

/** What a paid request carried. */
interface SentProof {
  channel: PayerChannel;
  balance: bigint;
  signature: Hex;
  price: bigint;
  headers: Record<string, string>;
}

interface RequestTemplate {
  url: string;
  init: RequestInit;
  headers: Headers;
  method: string;
}

/**
 * Creates a payer. Its `fetch` sends the request; on a 402 it checks the site's terms against what
 * it trusts and the spending policy, picks an open channel that covers the price (or tops one up,
 * or opens one, with EIP-2612 permit when the token has it), signs the next balance proof and sends
 * the request again. It waits for the site to see a new channel (bounded by
 * `policy.confirmationTimeoutMs`), resumes from the site's last balance when that proof is provably
 * its own, and stores a new balance only after a 2xx. Failures throw a {@link PayerError}.
 *
 * Request bodies are read in full before the first attempt so the request can be re-sent:
 * streaming uploads are not supported. `HEAD` requests are never paid (the site never charges
 * them) and a 5xx is returned as it is.
 *
 * @example
 * const payer = createPayer({
 *   account: privateKeyToAccount(key),
 *   publicClient: createPublicClient({ transport: http(rpcUrl) }),
 *   store: jsonFileChannelStore("~/.paychan/channels.json"),
 *   policy: { maxPrice: 10n ** 18n, budget: 5n * 10n ** 18n },
 * });
 * const res = await payer.fetch("https://example.com/articles/why-payment-channels");
 */
export function createPayer(options: PayerOptions): Payer {
  const { publicClient, store } = options;
  const policy = options.policy ?? {};
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const emit = (e: PayerEvent) => options.onEvent?.(e);
  const maxRoundTrips = options.maxRoundTrips ?? 5;
  const pollingIntervalMs = options.pollingIntervalMs ?? 1000;
  const timeoutMs = policy.confirmationTimeoutMs ?? DEFAULT_CONFIRMATION_TIMEOUT_MS;
  const sender: Address =
    typeof options.account === "string" ? options.account : options.account.address;
  const sessionSigner = options.sessionSigner;
  const signers: Address[] = sessionSigner ? [sessionSigner.address, sender] : [sender];
  if (typeof options.account === "string" && !options.walletClient) {
    throw new PayerError(
      "no-signer",
      `The account ${sender} is a JSON-RPC account: pass the walletClient that signs for it.`,
    );
  }
  const pins = new Map<string, TrustedTerms>();
  let spent = 0n;
  let queue: Promise<unknown> = Promise.resolve();
  let ctxPromise: Promise<ChainContext> | undefined;

  /** Runs payments one at a time: two requests never build on the same balance. */
  function serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => {});
    return run;
  }

  function context(): Promise<ChainContext> {
    ctxPromise ??= (async () => {
      const chainId = await publicClient.getChainId();
      const chain: Chain =
        publicClient.chain?.id === chainId
          ? publicClient.chain
          : defineChain({
              id: chainId,
              name: `Chain ${chainId}`,
              nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
              rpcUrls: { default: { http: [] } },
            });
      const walletClient =
        options.walletClient ??
        createWalletClient({
          account: options.account as LocalAccount,
          chain,
          transport: custom({ request: (args) => publicClient.request(args as never) }),
        });
      return {
        publicClient,
        walletClient,
        account: options.account,
        sender,
        chain,
        pollingIntervalMs,
        onTx: (what, txHash) => emit({ type: "transaction-sent", what, txHash }),
      };
    })();
    ctxPromise.catch(() => (ctxPromise = undefined));
    return ctxPromise;
  }

  function signerSource(channel: PayerChannel): ProofSignerSource {
    if (sessionSigner && isAddressEqual(channel.signer, sessionSigner.address)) {
      return { account: sessionSigner };
    }
    if (isAddressEqual(channel.signer, sender)) {
      return typeof options.account === "string"
        ? { walletClient: options.walletClient!, account: options.account }
        : { account: options.account };
    }
    throw new PayerError(
      "no-signer",
      `Channel ${channelName(channel)} is signed by ${channel.signer}, a key this payer does not hold.`,
    );
  }

  const domainOf = (c: PayerChannel) => channelDomain({ chainId: c.chainId, contract: c.contract });
  const messageOf = (c: PayerChannel, balance: bigint) => ({
    sender: c.sender,
    receiver: c.receiver,
    openBlockNumber: c.openBlock,
    balance,
  });

  function signProof(channel: PayerChannel, balance: bigint): Promise<Hex> {
    return signBalanceProof({
      ...signerSource(channel),
      domain: domainOf(channel),
      message: messageOf(channel, balance),
    });
  }

  /** The stored copy of `channel` (the caller's may be stale). */
  async function latest(channel: PayerChannel): Promise<PayerChannel> {
    return (await store.list()).find((c) => sameChannel(c, channel)) ?? channel;
  }

  async function save(channel: PayerChannel): Promise<PayerChannel> {
    await store.put(channel);
    return channel;
  }

  /** The terms the payer trusts for `origin`: given, else pinned, else from the store's channels. */
  async function trustedFor(origin: string): Promise<TrustedTerms> {
    let pin = pins.get(origin);
    if (!pin) {
      const known = (await store.list())
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

  async function checkSite(origin: string, terms: PaymentTerms): Promise<void> {
    const refusal = checkTerms(terms, await trustedFor(origin), origin);
    if (refusal) throw refusal;
    const ctx = await context();
    if (ctx.chain.id !== terms.chainId) {
      throw new PayerError(
        "wrong-chain",
        `${origin} asks for payment on chain ${terms.chainId}, but the RPC node is on chain ${ctx.chain.id}.`,
      );
    }
    if (!pins.has(origin)) {
      pins.set(origin, { contract: terms.contract, token: terms.token, chainId: terms.chainId });
    }
  }

  async function openChannel(terms: PaymentTerms, deposit: bigint, origin: string) {
    const ctx = await context();
    await checkContractToken(ctx, terms.contract, terms.token);
    await checkFunds(ctx, terms.token, deposit, 2);
    const signer = sessionSigner?.address ?? sender;
    emit({ type: "opening-channel", receiver: terms.receiver, deposit });
    const tx = await openChannelTx(ctx, {
      contract: terms.contract,
      token: terms.token,
      receiver: terms.receiver,
      deposit,
      signer: sessionSigner ? sessionSigner.address : "0x0000000000000000000000000000000000000000",
    });
    const channel = await save({
      siteOrigin: origin,
      chainId: terms.chainId,
      contract: terms.contract,
      token: terms.token,
      receiver: terms.receiver,
      sender,
      signer,
      openBlock: tx.openBlock,
      deposit,
      balance: 0n,
      signature: null,
      state: "open",
    });
    emit({ type: "channel-opened", channel, txHash: tx.hash, permit: tx.permit });
    return channel;
  }

  async function topUpChannel(channel: PayerChannel, amount: bigint): Promise<PayerChannel> {
    if (channel.state !== "open") {
      throw new PayerError(
        "bad-channel-state",
        `Channel ${channelName(channel)} is ${channel.state}: it cannot be topped up.`,
      );
    }
    const ctx = await context();
    await checkFunds(ctx, channel.token, amount, 2);
    emit({ type: "topping-up", channel, amount });
    const tx = await topUpTx(ctx, {
      contract: channel.contract,
      token: channel.token,
      receiver: channel.receiver,
      openBlock: channel.openBlock,
      amount,
    });
    const updated = await save({ ...(await latest(channel)), deposit: channel.deposit + amount });
    emit({ type: "topped-up", channel: updated, txHash: tx.hash, permit: tx.permit });
    return updated;
  }

  /** The channel that pays `terms.price` now: an existing one, topped up, or a new one. */
  async function channelFor(terms: PaymentTerms, origin: string): Promise<PayerChannel> {
    const plan = planPayment(
      await store.list(),
      { ...terms, sender, signers, price: terms.price },
      policy,
    );
    if (plan.type === "use") return plan.channel;
    if (plan.type === "top-up") return topUpChannel(plan.channel, plan.amount);
    return openChannel(terms, plan.deposit, origin);
  }

  /** Continues from the site's last proof, if it is provably ours; throws "tampered-proof" otherwise. */
  async function adopt(channel: PayerChannel, lastProof: LastProof): Promise<void> {
    const recovered = lastProof.signature
      ? await recoverBalanceProofSigner(
          domainOf(channel),
          messageOf(channel, lastProof.balance),
          lastProof.signature,
        )
      : null;
    let current = await latest(channel);
    if (lastProof.balance > current.deposit) {
      // Our copy of the deposit may be behind (a top-up we lost): the chain decides.
      const info = await readChannel(await context(), current.contract, current);
      if (info && info.deposit > current.deposit) current = { ...current, deposit: info.deposit };
    }
    const check = checkServerProof(current, lastProof, recovered, current.deposit);
    if (!check.ok) throw check.error;
    const updated = await save({ ...current, balance: check.balance, signature: check.signature });
    emit({
      type: "adopted-server-balance",
      channel: updated,
      from: channel.balance,
      to: check.balance,
    });
  }

  /** Looks a channel the site does not know up on chain; true when the site merely lags. */
  async function siteLags(channel: PayerChannel): Promise<boolean> {
    const ctx = await context();
    const info = await readChannel(ctx, channel.contract, channel);
    const current = await latest(channel);
    if (info === null) {
      const updated = await save({ ...current, state: "settled" });
      emit({ type: "channel-state-changed", channel: updated, reason: "settled on chain" });
      return false;
    }
    if (info.settleBlock !== 0) {
      const updated = await save({ ...current, state: "closing", settleBlock: info.settleBlock });
      emit({ type: "channel-state-changed", channel: updated, reason: "closing on chain" });
      return false;
    }
    if (current.balance === 0n) return true; // opened, not indexed by the site yet
    const updated = await save({ ...current, siteRefused: true });
    emit({
      type: "channel-state-changed",
      channel: updated,
      reason: "the site no longer accepts payments on it (close it)",
    });
    return false;
  }

  async function waitBlocks(blocks: number, deadline: number): Promise<void> {
    const target = (await publicClient.getBlockNumber()) + BigInt(blocks);
    while ((await publicClient.getBlockNumber()) < target) {
      if (Date.now() >= deadline) throw confirmationsTimeout();
      await sleep(pollingIntervalMs);
    }
  }

  const confirmationsTimeout = (channel?: PayerChannel) =>
    new PayerError(
      "confirmations-timeout",
      `The site did not accept ${channel ? `channel ${channelName(channel)}` : "the channel"} ` +
        `within ${timeoutMs} ms: it has not seen it (or its deposit) confirmed yet. Try again later.`,
    );

  async function template(input: RequestInfo | URL, init?: RequestInit): Promise<RequestTemplate> {
    const req = new Request(input, init);
    const body = req.body ? await req.arrayBuffer() : undefined;
    return {
      url: req.url,
      method: req.method,
      headers: new Headers(req.headers),
      init: {
        method: req.method,
        body,
        redirect: req.redirect,
        credentials: req.credentials,
        cache: req.cache,
        referrerPolicy: req.referrerPolicy,
        integrity: req.integrity,
        keepalive: req.keepalive,
        signal: req.signal,
      },
    };
  }

  async function send(t: RequestTemplate, extra: Record<string, string> = {}): Promise<Response> {
    const headers = new Headers(t.headers);
    for (const [k, v] of Object.entries(extra)) headers.set(k, v);
    try {
      return await fetchImpl(new Request(t.url, { ...t.init, headers }));
    } catch (cause) {
      if ((cause as Error)?.name === "AbortError") throw cause;
      throw new PayerError("site-unreachable", `${new URL(t.url).origin} did not answer.`, {
        cause,
      });
    }
  }

  function decode(res: Response, origin: string): PaymentTerms {
    try {
      return decodePaymentTerms(res.headers);
    } catch (cause) {
      const why = cause instanceof PaymentTermsError ? cause.message : String(cause);
      throw new PayerError("bad-terms", `${origin} answered 402 with unusable terms (${why}).`, {
        cause,
      });
    }
  }

  /** Answers 402s until the site serves the request (or the payer gives up). */
  async function pay(t: RequestTemplate, first: Response): Promise<Response> {
    const origin = new URL(t.url).origin;
    let res = first;
    let sent: SentProof | undefined;
    let roundTrips = 0;
    let deadline: number | undefined;
    const waitDeadline = () => (deadline ??= Date.now() + timeoutMs);
    let lastReason: keyof typeof FAILURE_TEXT = "payment-required";

    while (res.status === 402) {
      const terms = decode(res, origin);
      await res.body?.cancel().catch(() => {});
      await checkSite(origin, terms);
      lastReason = terms.failure?.reason ?? "payment-required";
      emit({ type: "payment-required", url: t.url, price: terms.price, reason: lastReason });

      if (sent) {
        const action = failureAction(terms, await latest(sent.channel), sent.balance);
        if (action.type === "refuse") {
          throw new PayerError("payment-refused", `${origin} refused the payment: ${action.text}`, {
            details: { reason: action.reason, url: t.url },
          });
        }
        if (action.type === "wait-confirmations") {
          emit({ type: "waiting-confirmations", channel: sent.channel, missing: action.blocks });
          await waitBlocks(action.blocks, waitDeadline());
          res = await send(t, sent.headers);
          continue;
        }
        if (action.type === "wait-deposit" || action.type === "check-channel") {
          if (action.type === "wait-deposit" || (await siteLags(sent.channel))) {
            if (Date.now() >= waitDeadline()) throw confirmationsTimeout(sent.channel);
            emit({ type: "waiting-for-site", channel: sent.channel, reason: lastReason });
            await sleep(pollingIntervalMs);
            res = await send(t, sent.headers);
            continue;
          }
        } else if (action.type === "adopt") {
          await adopt(sent.channel, action.lastProof);
        } else if (action.type === "top-up") {
          const info = await readChannel(await context(), sent.channel.contract, sent.channel);
          const current = await latest(sent.channel);
          if (info && info.deposit !== current.deposit)
            await save({ ...current, deposit: info.deposit });
        }
      }
      if (++roundTrips > maxRoundTrips) {
        throw new PayerError(
          "payment-refused",
          `${origin} kept refusing the payment after ${maxRoundTrips} attempts: ${FAILURE_TEXT[lastReason]}`,
          { details: { reason: lastReason, url: t.url } },
        );
      }
      const refusal = checkPolicy(terms.price, policy, spent);
      if (refusal) throw refusal;
      const channel = await channelFor(terms, origin);
      const balance = channel.balance + terms.price;
      const signature = await signProof(channel, balance);
      const headers = encodePaymentHeaders({
        sender,
        openBlock: channel.openBlock,
        balance,
        signature,
        receiver: channel.receiver,
        contract: channel.contract,
      });
      sent = { channel, balance, signature, price: terms.price, headers };
      res = await send(t, headers);
    }

    if (sent && res.ok) {
      const channel = await save({
        ...(await latest(sent.channel)),
        balance: sent.balance,
        signature: sent.signature,
      });
      spent += sent.price;
      emit({ type: "paid", url: t.url, channel, price: sent.price, balance: sent.balance });
    }
    return res;
  }

  return {
    address: sender,

    async fetch(input, init) {
      const t = await template(input, init);
      const res = await send(t);
      if (res.status !== 402 || t.method === "HEAD") return res;
      return serialize(() => pay(t, res));
    },

    channels: () => store.list(),

    spent: () => spent,

    topUp: (channel, amount) => serialize(async () => topUpChannel(await latest(channel), amount)),

    close: (channel, { siteOrigin, gatewayPath = GATEWAY_PATH }) =>
      serialize(async () => {
        const current = await latest(channel);
        if (current.state !== "open") {
          throw new PayerError(
            "bad-channel-state",
            `Channel ${channelName(current)} is ${current.state}: only an open channel can be closed.`,
          );
        }
        const ctx = await context();
        const balanceSignature = current.signature ?? (await signProof(current, current.balance));
        let closingSignature: Hex | undefined;
        let refusal: string | undefined;
        emit({ type: "close-requested", channel: current, siteOrigin });
        try {
          closingSignature = await requestClosingSignature(
            current,
            balanceSignature,
            siteOrigin,
            gatewayPath,
          );
        } catch (err) {
          refusal = err instanceof Error ? err.message : String(err);
        }
        if (closingSignature) {
          const txHash = await cooperativeCloseTx(ctx, {
            contract: current.contract,
            sender: current.sender,
            receiver: current.receiver,
            openBlock: current.openBlock,
            balance: current.balance,
            balanceSignature,
            closingSignature,
          });
          const updated = await save({ ...current, signature: balanceSignature, state: "settled" });
          emit({ type: "closed", channel: updated, txHash, cooperative: true });
          return { channel: updated, cooperative: true, txHash };
        }
        emit({ type: "close-refused", channel: current, reason: refusal ?? "unknown" });
        const txHash = await uncooperativeCloseTx(ctx, {
          contract: current.contract,
          receiver: current.receiver,
          openBlock: current.openBlock,
          balance: current.balance,
        });
        const info = await readChannel(ctx, current.contract, current);
        const updated = await save({
          ...current,
          state: "closing",
          settleBlock: info?.settleBlock,
        });
        emit({ type: "closed", channel: updated, txHash, cooperative: false });
        return { channel: updated, cooperative: false, txHash, refusal };
      }),

    settle: (channel) =>
      serialize(async () => {
        const ctx = await context();
        const current = await latest(channel);
        const info = await readChannel(ctx, current.contract, current);
        if (info === null) return save({ ...current, state: "settled" });
        if (info.settleBlock === 0) {
          throw new PayerError(
            "bad-channel-state",
            `Channel ${channelName(current)} is open: close it before settling.`,
          );
        }
        const head = await publicClient.getBlockNumber();
        // settle needs block.number > settleBlock: the next block must be past it.
        if (head + 1n <= BigInt(info.settleBlock)) {
          throw new PayerError(
            "challenge-period",
            `Channel ${channelName(current)} can be settled after block ${info.settleBlock}: ` +
              `${BigInt(info.settleBlock) - head} more blocks.`,
            { details: { settleBlock: info.settleBlock, head } },
          );
        }
        const txHash = await settleTx(ctx, current);
        const updated = await save({ ...current, state: "settled", settleBlock: info.settleBlock });
        emit({ type: "settled", channel: updated, txHash });
        return updated;
      }),
  };

  /** Asks the site for its closing signature (DELETE …/channels/:sender/:open_block) and checks it. */
  async function requestClosingSignature(
    channel: PayerChannel,
    balanceSignature: Hex,
    siteOrigin: string,
    gatewayPath: string,
  ): Promise<Hex> {
    const nonce = bytesToHex(globalThis.crypto.getRandomValues(new Uint8Array(32)));
    const expires = BigInt(Math.floor(Date.now() / 1000) + 300);
    const signature = await signCloseRequest({
      ...signerSource(channel),
      domain: domainOf(channel),
      message: { ...messageOf(channel, channel.balance), nonce, expires },
    });
    const url = `${siteOrigin.replace(/\/$/, "")}${gatewayPath}/channels/${channel.sender}/${channel.openBlock}`;
    let res: Response;
    try {
      res = await fetchImpl(url, {
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
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A `fetch` that answers 402s by paying, for callers that need nothing else of the payer (no
 * channel list, no close): `createPayer(options).fetch`.
 *
 * @example
 * const paidFetch = createPayingFetch({ account, publicClient, store: memoryChannelStore() });
 * const res = await paidFetch("http://127.0.0.1:3000/api/echo/fix/hello");
 */
export function createPayingFetch(options: PayerOptions): Payer["fetch"] {
  const payer = createPayer(options);
  return (input, init) => payer.fetch(input, init);
}
