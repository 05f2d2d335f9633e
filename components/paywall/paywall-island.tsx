"use client";
/**
 * The paywall's client island. The first render is small: the price, the reader's channel as this
 * browser remembers it, and one next action. When IndexedDB holds an enabled auto-pay setting, a
 * covering channel and its session key, it pays by itself (viem and the payer core only, no
 * wallet) when the reader asked for the page (`autoPay`, from the request's Fetch Metadata), and
 * after one "Pay" click when another site opened it; otherwise the wallet code loads when the
 * reader clicks "Connect wallet". After a payment, `router.refresh()` swaps the article in.
 */
import dynamic from "next/dynamic";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from "react";
import type { Address } from "viem";
// Direct module imports, not the lib/browser barrel. The first render needs none of the stored
// records' code: it loads (`./island-local`) when this browser holds a channel, the payer core when
// a payment starts, so a new reader's paywall stays small.
import { countAll, STORES } from "@/lib/browser/idb";
import { ensurePayWorker } from "@/lib/browser/pay-worker-client";
import { ChannelState } from "./channel-state";
import { tokens } from "./format";
import type { LocalState } from "./local-state";
import { rememberedAccount, walletButtonLabel } from "./remembered-wallet";
import type { PaywallProps, SiteTerms } from "./types";
import "./paywall.css";

/** The auto-pay limits: shown (and loaded) only for a reader with an auto-pay channel. */
const AutoPayPanel = dynamic(() => import("./autopay-panel").then((m) => m.AutoPayPanel), {
  ssr: false,
});

/** The room left on a channel. */
const remaining = (c: { deposit: bigint; balance: bigint }) => c.deposit - c.balance;

/**
 * `err` in words; the explanations load with the first error, not with the paywall (its own
 * message when they cannot load).
 */
const explained = (err: unknown) =>
  import("./explain-error").then(
    (m) => m.explainError(err),
    () => (err instanceof Error ? err.message : String(err)),
  );

/** A browser that never stored a channel has nothing to read: `island-local` is not loaded. */
const NOTHING_STORED = { auto: undefined, state: { lost: [] } as LocalState, reason: "" };

/** The reader's stored state and what auto-pay could do with it (see `./island-local`). */
async function storedState(terms: SiteTerms, price: bigint) {
  if ((await countAll(STORES.channels)) === 0) return NOTHING_STORED;
  return (await import("./island-local")).islandState(terms, price);
}

/** Calls `onChange` when another tab changes localStorage (wagmi's remembered connection). */
function onStorage(onChange: () => void) {
  window.addEventListener("storage", onChange);
  return () => window.removeEventListener("storage", onChange);
}

/** The wallet part: loaded in the browser only, on demand. */
const PaywallWallet = dynamic(() => import("./paywall-wallet-client"), {
  ssr: false,
  loading: () => <p className="muted">Loading the wallet…</p>,
});

type Phase = "loading" | "idle" | "auto-paying" | "wallet" | "paid";

/** What the wallet part reports to the island. */
export interface IslandReport {
  setStatus: (status: string) => void;
  setError: (error: string | undefined) => void;
  /** Re-reads the reader's state from IndexedDB (for `sender` once connected). */
  reload: (sender?: Address) => Promise<LocalState>;
  /** A payment succeeded (`response`: the paid answer): show the article, or what was bought. */
  onPaid: (response?: Response) => void;
}

export default function PaywallIsland(props: PaywallProps) {
  const { terms } = props;
  const price = BigInt(props.price);
  const router = useRouter();
  const [phase, setPhase] = useState<Phase>("loading");
  const [status, setStatus] = useState("Checking this browser for a payment channel…");
  const [error, setError] = useState<string>();
  const [local, setLocal] = useState<LocalState>({ lost: [] });
  const stopRef = useRef<AbortController | undefined>(undefined);
  const started = useRef(false);
  /** Auto-pay could pay, but the page was not opened by the reader: one click pays. */
  const [awaitingClick, setAwaitingClick] = useState(false);

  const reload = useCallback(
    async (sender?: Address) => {
      const next =
        sender === undefined && (await countAll(STORES.channels)) === 0
          ? NOTHING_STORED.state
          : await (await import("./island-local")).readLocalState(terms, price, sender);
      setLocal(next);
      return next;
    },
    [terms, price],
  );

  /** What a paid image, API route or upstream page returned, shown in place. */
  const [bought, setBought] = useState<{ type: string; url?: string; text?: string }>();

  const onPaid = useCallback(
    (response?: Response) => {
      setPhase("paid");
      setError(undefined);
      if ((props.kind ?? "article") === "article" || !response) {
        setStatus("Paid. Loading the article…");
        router.refresh();
        return;
      }
      setStatus("Paid: here it is.");
      void reload().catch(() => undefined);
      const type = response.headers.get("content-type") ?? "";
      void response
        .blob()
        .then(async (blob) =>
          setBought(
            /^(text\/plain|application\/json)/.test(type)
              ? { type, text: await blob.text() }
              : { type, url: URL.createObjectURL(blob) },
          ),
        )
        .catch(async (err: unknown) => setError(await explained(err)));
    },
    [router, props.kind, reload],
  );

  /**
   * Pays the article by itself when this browser may (auto-pay on, within its limits, a covering
   * channel and its session key); otherwise says why auto-pay did not pay, after `note` if given.
   */
  const autoPay = useCallback(
    async (note?: string, readerAsked = true) => {
      let auto;
      let reason: string;
      try {
        ({ auto, reason } = await storedState(terms, price).then((s) => {
          setLocal(s.state);
          return s;
        }));
      } catch (err) {
        setPhase("idle");
        setStatus("");
        setError(`This browser's storage cannot be read: ${await explained(err)}`);
        return;
      }
      if (!auto) {
        setAwaitingClick(false);
        setPhase("idle");
        setStatus([note, reason].filter(Boolean).join(" "));
        return;
      }
      if (!readerAsked) {
        setAwaitingClick(true);
        setPhase("idle");
        setStatus(
          "Auto-pay is on, but this page was opened by another site: it pays only when you click.",
        );
        return;
      }
      setAwaitingClick(false);
      setError(undefined);
      const stop = new AbortController();
      stopRef.current = stop;
      setPhase("auto-paying");
      setStatus(`Paying ${tokens(price, terms)} automatically…`);
      try {
        const [{ createBrowserPayer }, { autoPayerOptions }] = await Promise.all([
          import("@/lib/browser/pay"),
          import("@/lib/browser/auto-pay"),
        ]);
        const { payArticle } = createBrowserPayer({
          chainId: terms.chainId,
          rpcUrl: terms.rpcUrl,
          contract: terms.contract,
          token: terms.token,
          ...autoPayerOptions(auto, props.path),
        });
        const { response } = await payArticle(props.path, {
          title: props.title,
          signal: stop.signal,
        });
        if (response.ok) {
          onPaid(response);
          return;
        }
        setError(`The site answered ${response.status}: the automatic payment did not go through.`);
      } catch (err) {
        if (stop.signal.aborted || (err as { name?: unknown } | undefined)?.name === "AbortError") {
          setError(undefined);
        } else {
          setError(await explained(err));
        }
      }
      stopRef.current = undefined;
      setStatus(stop.signal.aborted ? "Automatic payment stopped." : "");
      setPhase("idle");
      await reload(auto.channel.sender).catch(() => undefined);
    },
    [terms, price, props.path, props.title, reload, onPaid],
  );

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void autoPay(undefined, props.autoPay === true);
  }, [autoPay, props.autoPay]);

  // With auto-pay on, the worker pays the reader's next clicks on the request itself.
  const autoOn = local.settings?.mode === "auto" && local.settings.enabled;
  useEffect(() => {
    if (autoOn) void ensurePayWorker(terms.rpcUrl);
  }, [autoOn, terms.rpcUrl]);

  const report: IslandReport = { setStatus, setError, reload, onPaid };
  const channel = local.usable ?? local.lost[0];
  // A channel the wallet signs for (confirm each payment) that covers the price: one click pays.
  const walletPays =
    local.usable !== undefined &&
    local.usable.signer.toLowerCase() === local.usable.sender.toLowerCase() &&
    remaining(local.usable) >= price;
  const [payNow, setPayNow] = useState(false);
  // A remembered wallet connection (none on the server): the wallet that holds channels here, or
  // any remembered one when none is stored.
  const account = useSyncExternalStore(onStorage, rememberedAccount, () => undefined);
  const connected =
    account !== undefined && (!local.sender || local.sender.toLowerCase() === account);

  return (
    <div className="paywall-island" data-phase={phase}>
      {bought ? (
        <div className="paywall-bought" data-testid="bought">
          {bought.url && bought.type.startsWith("image/") ? (
            // A blob of the paid answer: nothing for next/image to optimise.
            // eslint-disable-next-line @next/next/no-img-element
            <img src={bought.url} alt={props.title} />
          ) : bought.url ? (
            <a href={bought.url} download={props.title}>
              Save {props.title}
            </a>
          ) : (
            <pre>{bought.text}</pre>
          )}
        </div>
      ) : null}
      {channel ? (
        <ChannelState channel={channel} terms={terms} lost={channel !== local.usable} />
      ) : null}
      {local.settings?.mode === "auto" && local.usable && local.usable.signer !== local.sender ? (
        <AutoPayPanel
          key={`${local.settings.updatedAt}`}
          settings={local.settings}
          terms={terms}
          onChange={(message) => {
            setStatus(message);
            // New limits may allow this article now; with the wallet open the reader pays there.
            if (phase === "idle") void autoPay(message);
            else void reload(local.sender);
          }}
        />
      ) : null}
      <p className="paywall-status" data-testid="paywall-status" aria-live="polite">
        {status}
        {phase === "auto-paying" ? (
          <>
            {" "}
            <button type="button" onClick={() => stopRef.current?.abort()}>
              Stop
            </button>
          </>
        ) : null}
      </p>
      {error ? (
        <p className="paywall-error" data-testid="paywall-error" role="alert">
          {error}
        </p>
      ) : null}
      {phase === "idle" && awaitingClick ? (
        <button
          type="button"
          className="primary"
          data-testid="auto-pay-button"
          onClick={() => void autoPay()}
        >
          Pay {tokens(price, terms)} and read
        </button>
      ) : null}
      {phase === "idle" && !awaitingClick ? (
        <button
          type="button"
          className="primary"
          data-testid="wallet-connect"
          onClick={() => {
            setError(undefined);
            setPayNow(walletPays);
            setPhase("wallet");
          }}
        >
          {walletButtonLabel({
            price: tokens(price, terms),
            walletPays,
            connected,
            usable: local.usable,
            priceUnits: price,
          })}
        </button>
      ) : null}
      {phase === "wallet" ? (
        <PaywallWallet {...props} local={local} report={report} payNow={payNow} />
      ) : null}
    </div>
  );
}
