"use client";
/**
 * The wallet page's state and actions: the reader's channels to this site (this browser's records,
 * channels recovered from the chain, each corrected by `getChannelInfo`), the chain head for the
 * settle countdowns, the payment history (local, and the site's after sign-in), and top-up, close,
 * settle with their progress and errors.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { isAddressEqual, type Address, type PublicClient } from "viem";
import { useSignMessage, useWalletClient } from "wagmi";
import { relayOffer } from "@/components/paywall/relay-offer";
import type { SiteTerms } from "@/components/paywall/types";
import { useWalletPayer } from "@/components/wallet/use-wallet-payer";
import {
  channelKey,
  getSessionKey,
  indexedDbChannelStore,
  listHistory,
  sitePublicClient,
  type HistoryEntry,
} from "@/lib/browser";
import { formatToken } from "@/lib/format";
import type { PayerChannel, PayerEvent } from "@/lib/protocol/client";
import { readChannel, type OnChainChannel } from "@/lib/protocol/client/chain";
import { channelRow, siteChannelsOf, sortChannelRows, type ChannelRow } from "./channels";
import { secondsPerBlock, type BlockSample } from "./countdown";
import { explainError } from "./explain-error";
import { historyCsv, mergeHistory, type HistoryRow, type SiteHistory } from "./history";
import { describeEvent } from "./progress";
import { requestRelayedClose, requestTestTokens } from "./relay-api";
import { ensureSignedIn, listSiteChannels, loadSitePayments, type SiteApi } from "./site-api";

/** How often the chain head is read (the settle countdowns). */
const HEAD_POLL_MS = 4000;
/** Blocks back from the head whose timestamp starts the block-time estimate. */
const BLOCK_TIME_WINDOW = 20n;
/** Samples kept for the block-time estimate. */
const MAX_SAMPLES = 32;

/** The page's status line: what is happening now, or the result of the last action. */
export type WalletStatus = {
  phase: "idle" | "working" | "done" | "error";
  text: string;
  /** The last error, explained. */
  error: string | null;
};

type Loaded = { channel: PayerChannel; onChain?: OnChainChannel | null; hasKey: boolean };

/** The chain head and when it was read, plus recent block times. */
export type ChainHead = { head: bigint | null; readAt: number; secondsPerBlock: number | null };

function siteApi(terms: SiteTerms): SiteApi {
  return {
    origin: window.location.origin,
    host: window.location.host,
    gatewayPath: terms.gatewayPath,
  };
}

/** Reads the head block and keeps timestamps of recent blocks for the block-time estimate. */
function useChainHead(client: PublicClient, enabled: boolean): ChainHead {
  const [state, setState] = useState<ChainHead>({
    head: null,
    readAt: 0,
    secondsPerBlock: null,
  });
  const samples = useRef<BlockSample[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let last: bigint | null = null;
    async function poll() {
      try {
        const block = await client.getBlock();
        if (stopped) return;
        const head = block.number;
        if (head === last) return;
        const fresh: BlockSample[] = [{ number: head, timestamp: block.timestamp }];
        if (last === null && head > 0n) {
          const back = head > BLOCK_TIME_WINDOW ? head - BLOCK_TIME_WINDOW : 0n;
          const old = await client.getBlock({ blockNumber: back });
          fresh.push({ number: old.number, timestamp: old.timestamp });
        }
        last = head;
        samples.current = [...samples.current, ...fresh]
          .sort((a, b) => (a.number < b.number ? -1 : 1))
          .slice(-MAX_SAMPLES);
        if (stopped) return;
        setState({
          head,
          readAt: Date.now(),
          secondsPerBlock: secondsPerBlock(samples.current),
        });
      } catch {
        // The next poll tries again; the countdown keeps the last head meanwhile.
      }
    }
    void poll();
    const timer = setInterval(() => void poll(), HEAD_POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [client, enabled]);
  return state;
}

/** Everything the wallet page shows and does. */
export function useWalletPage(terms: SiteTerms) {
  const { sender, onSiteChain, makePayer } = useWalletPayer(terms);
  const { signMessageAsync } = useSignMessage();
  const { data: walletClient } = useWalletClient({ chainId: terms.chainId });
  const client = useMemo(
    () => sitePublicClient({ chainId: terms.chainId, rpcUrl: terms.rpcUrl }),
    [terms.chainId, terms.rpcUrl],
  );
  const store = useMemo(() => indexedDbChannelStore(), []);
  const fmt = useCallback(
    (amount: bigint) =>
      formatToken(amount, { symbol: terms.tokenSymbol, decimals: terms.tokenDecimals }),
    [terms.tokenSymbol, terms.tokenDecimals],
  );

  // Each piece of state names the account it belongs to: another account's is never shown.
  const [read, setRead] = useState<{
    sender: Address;
    channels: Loaded[];
    local: HistoryEntry[];
    /** The account's ETH (null when it could not be read): without it, only relayed closes. */
    eth: bigint | null;
  }>();
  const [siteRead, setSite] = useState<{ sender: Address; histories: SiteHistory[] }>();
  const loaded = read && read.sender === sender ? read.channels : null;
  const local = useMemo(() => (read && read.sender === sender ? read.local : []), [read, sender]);
  const site = siteRead && siteRead.sender === sender ? siteRead.histories : null;
  const [status, setStatus] = useState<WalletStatus>({ phase: "idle", text: "", error: null });
  const [busy, setBusy] = useState<string | null>(null);
  const recovered = useRef(new Set<string>());
  const busyRef = useRef(false);

  /** Reads this browser's channels and history and the chain's view of each channel. */
  const refresh = useCallback(async () => {
    if (!sender) return;
    const mine = siteChannelsOf(await store.list(), terms, sender);
    const next = await Promise.all(
      mine.map(async (channel): Promise<Loaded> => {
        const onChain = await readChannel({ publicClient: client }, terms.contract, channel).catch(
          () => undefined,
        );
        const hasKey =
          isAddressEqual(channel.signer, sender) ||
          (await getSessionKey(channel.signer).catch(() => undefined)) !== undefined;
        return { channel, onChain, hasKey };
      }),
    );
    const keys = new Set(mine.map(channelKey));
    const history = await listHistory().catch(() => []);
    const eth = await client.getBalance({ address: sender }).catch(() => null);
    setRead({ sender, channels: next, local: history.filter((h) => keys.has(h.channel)), eth });
  }, [sender, store, client, terms]);

  const chain = useChainHead(client, sender !== undefined);

  // Reads the connected account's channels when it changes, and again on every new block: a
  // closing channel may be settled from elsewhere (the site's dispute settles it at once).
  const headSeen = chain.head;
  useEffect(() => {
    if (busyRef.current) return;
    void refresh().catch((err) =>
      setStatus({
        phase: "error",
        text: "Could not read your channels.",
        error: explainError(err),
      }),
    );
  }, [headSeen, refresh]);

  const onEvent = useCallback(
    (e: PayerEvent) => {
      const text = describeEvent(e, fmt);
      if (text) setStatus((s) => ({ ...s, phase: "working", text }));
    },
    [fmt],
  );

  /**
   * Runs one action at a time, reporting progress, then the result or the explained error. The
   * channels are read again before the outcome is shown, so a finished status always comes with
   * the channels as they are after the action.
   */
  const run = useCallback(
    async (label: string, start: string, action: () => Promise<string>) => {
      if (busyRef.current) return;
      busyRef.current = true;
      setBusy(label);
      setStatus({ phase: "working", text: start, error: null });
      let outcome: WalletStatus;
      try {
        outcome = { phase: "done", text: await action(), error: null };
      } catch (err) {
        outcome = {
          phase: "error",
          text: `${start.replace(/…$/, "")}: failed.`,
          error: explainError(err),
        };
      }
      await refresh().catch(() => undefined);
      busyRef.current = false;
      setBusy(null);
      setStatus(outcome);
    },
    [refresh],
  );

  // Channels this browser lost (cleared storage, another browser) are found on chain once per account.
  useEffect(() => {
    if (!sender || !makePayer || recovered.current.has(sender)) return;
    recovered.current.add(sender);
    void run("recover", "Looking for your channels on chain…", async () => {
      const added = await makePayer({ onEvent }).payer.recover({
        contract: terms.contract,
        receiver: terms.receiver,
        token: terms.token,
        chainId: terms.chainId,
        siteOrigin: window.location.origin,
      });
      return added.length === 0
        ? "Your channels are up to date."
        : `Found ${added.length} channel${added.length === 1 ? "" : "s"} on chain that this browser did not know.`;
    });
  }, [sender, makePayer, onEvent, run, terms]);

  /** A payer that can sign for `channel` (its session key, when this browser holds it). */
  const payerFor = useCallback(
    async (channel: PayerChannel) => {
      if (!makePayer) throw new Error("Connect your wallet on the site's network first.");
      const sessionKey = isAddressEqual(channel.signer, channel.sender)
        ? undefined
        : await getSessionKey(channel.signer).catch(() => undefined);
      return makePayer({ sessionKey, onEvent }).payer;
    },
    [makePayer, onEvent],
  );

  const topUp = useCallback(
    (row: ChannelRow, amount: bigint) =>
      run(`topup:${row.channel.openBlock}`, `Topping up ${fmt(amount)}…`, async () => {
        const payer = await payerFor(row.channel);
        // Through the site's relay when the wallet has no ETH for gas (the payer decides).
        const updated = await payer.topUp(row.channel, amount, { relay: relayOffer(terms) });
        return `Added ${fmt(amount)}: the channel opened in block ${updated.openBlock} now holds ${fmt(updated.deposit)}.`;
      }),
    [run, payerFor, fmt, terms],
  );

  const close = useCallback(
    (row: ChannelRow) =>
      run(`close:${row.channel.openBlock}`, "Closing the channel…", async () => {
        const payer = await payerFor(row.channel);
        const result = await payer.close(row.channel, {
          siteOrigin: window.location.origin,
          gatewayPath: terms.gatewayPath,
        });
        if (result.cooperative) {
          return `Channel closed: the site kept ${fmt(result.channel.balance)}, the rest of the deposit is back in your account.`;
        }
        const until = result.channel.settleBlock
          ? ` until block ${result.channel.settleBlock}`
          : "";
        return `Close requested without the site's signature (${result.refusal ?? "no answer"}): the challenge period runs${until}, then settle to get the rest of the deposit back.`;
      }),
    [run, payerFor, fmt, terms.gatewayPath],
  );

  /** Cooperative close sent by the site (no ETH needed); the refund is the unspent deposit. */
  const closeByRelay = useCallback(
    (row: ChannelRow) =>
      run(
        `relayclose:${row.channel.openBlock}`,
        "Asking the site to close the channel…",
        async () => {
          const { channel } = row;
          const sessionKey = isAddressEqual(channel.signer, channel.sender)
            ? undefined
            : await getSessionKey(channel.signer).catch(() => undefined);
          if (!sessionKey && !walletClient)
            throw new Error("Connect your wallet on the site's network first.");
          const closed = await requestRelayedClose(
            siteApi(terms),
            channel,
            sessionKey
              ? { account: sessionKey }
              : { walletClient: walletClient!, account: channel.sender },
          );
          // The channel is settled on chain: this browser's record follows.
          await store.put({ ...channel, balance: closed.balance, state: "settled" });
          const refund = row.deposit > closed.balance ? row.deposit - closed.balance : 0n;
          return `Channel closed by the site: it kept ${fmt(closed.balance)}, and ${fmt(refund)} came back to your account (transaction ${closed.txHash.slice(0, 10)}…).`;
        },
      ),
    [run, walletClient, store, terms, fmt],
  );

  /** Test tokens from the local chain's faucet, for a wallet without ETH. */
  const getTestTokens = useCallback(
    () =>
      run("faucet", "Asking the site for test tokens…", async () => {
        if (!sender) throw new Error("Connect your wallet first.");
        const amount = await requestTestTokens(siteApi(terms), sender);
        return `You received ${fmt(amount)} of test tokens.`;
      }),
    [run, sender, terms, fmt],
  );

  const settle = useCallback(
    (row: ChannelRow) =>
      run(`settle:${row.channel.openBlock}`, "Settling the channel…", async () => {
        const payer = await payerFor(row.channel);
        await payer.settle(row.channel);
        return "Channel settled: the rest of the deposit is back in your account.";
      }),
    [run, payerFor],
  );

  const loadSiteHistory = useCallback(
    () =>
      run("site-history", "Signing in to the site…", async () => {
        if (!sender) throw new Error("Connect your wallet first.");
        const api = siteApi(terms);
        const asked = await ensureSignedIn(api, {
          address: sender,
          chainId: terms.chainId,
          signMessage: (message) => signMessageAsync({ message }),
        });
        setStatus((s) => ({
          ...s,
          text: asked ? "Signed in. Loading the site's history…" : "Loading the site's history…",
        }));
        const known = siteChannelsOf(await store.list(), terms, sender).map((c) => c.openBlock);
        const listed = await listSiteChannels(api, sender);
        const blocks = [...new Set([...known, ...listed])].sort((a, b) => b - a);
        const histories: SiteHistory[] = [];
        for (const openBlock of blocks) {
          const payments = await loadSitePayments(api, sender, openBlock);
          histories.push({ channel: keyOf(terms, sender, openBlock), openBlock, payments });
        }
        setSite({ sender, histories });
        const count = histories.reduce((n, h) => n + h.payments.length, 0);
        return `Loaded ${count} payment${count === 1 ? "" : "s"} from the site.`;
      }),
    [run, sender, terms, store, signMessageAsync],
  );

  const siteBalances = useMemo(() => {
    const m = new Map<string, bigint>();
    // A channel whose history the site sent empty was paid nothing: its balance is known (0).
    for (const h of site ?? [])
      m.set(h.channel, h.payments[0] ? BigInt(h.payments[0].balance) : 0n);
    return m;
  }, [site]);

  const rows = useMemo(
    () =>
      loaded &&
      sortChannelRows(
        loaded.map((l) =>
          channelRow(l.channel, {
            onChain: l.onChain,
            siteBalance: siteBalances.get(channelKey(l.channel)),
            hasKey: l.hasKey,
          }),
        ),
      ),
    [loaded, siteBalances],
  );

  const history: HistoryRow[] = useMemo(
    () =>
      mergeHistory(
        local,
        site ?? [],
        new Map((loaded ?? []).map((l) => [channelKey(l.channel), l.channel.openBlock])),
      ),
    [local, site, loaded],
  );

  /** Shows why an action was not started (e.g. an amount that is not a number). */
  const refuse = useCallback((text: string, reason: string) => {
    if (!busyRef.current) setStatus({ phase: "error", text, error: reason });
  }, []);

  const exportCsv = useCallback(() => {
    const csv = historyCsv(history, { symbol: terms.tokenSymbol, decimals: terms.tokenDecimals });
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `paychan-history-${new Date().toISOString().slice(0, 10)}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    setStatus({
      phase: "done",
      text: `Exported ${history.length} payment${history.length === 1 ? "" : "s"} as CSV.`,
      error: null,
    });
  }, [history, terms.tokenSymbol, terms.tokenDecimals]);

  return {
    sender,
    onSiteChain,
    /** The account's ETH, once read (null: unknown). */
    eth: read && read.sender === sender ? read.eth : null,
    canAct: makePayer !== undefined,
    rows,
    history,
    siteLoaded: site !== null,
    chain,
    status,
    busy,
    fmt,
    actions: {
      topUp,
      close,
      closeByRelay,
      settle,
      getTestTokens,
      loadSiteHistory,
      exportCsv,
      refuse,
    },
  };
}

function keyOf(terms: SiteTerms, sender: Address, openBlock: number): string {
  return channelKey({
    chainId: terms.chainId,
    contract: terms.contract,
    sender,
    receiver: terms.receiver,
    openBlock,
  });
}
