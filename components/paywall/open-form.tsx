/**
 * Opening a channel: the deposit (presets around the site's typical price, never below this
 * price), the signing mode (auto-pay with a session key, or confirm each payment in the wallet),
 * auto-pay's limits, how the deposit reaches the contract (the site's relay: one signature, no
 * gas; or the reader's own transaction) and the steps as they happen.
 */
import { useState, type ReactNode } from "react";
import type { PayerEvent } from "@/lib/protocol/client";
import type { PayMode } from "@/lib/browser";
import { amountUnit, parseTokenInput, tokenInput, tokens } from "./format";
import { LimitsFields } from "./limits-fields";
import {
  advance,
  allDone,
  failActive,
  initialSteps,
  OpenSteps,
  type OpenVia,
  type Steps,
} from "./open-steps";
import type { SiteTerms } from "./types";

/** What the reader chose. */
export interface OpenChoice {
  deposit: bigint;
  mode: PayMode;
  maxPerArticle: bigint;
  cap: bigint;
  /** "relay": the site opens the channel (the reader signs an authorization); "self": their transaction. */
  via: OpenVia;
}

/**
 * How a deposit can reach the contract: through the site's relay when it offers one (the reader's
 * choice when they also have ETH for gas, the only way when they have none), else their own
 * transaction. `canPayGas` undefined: not known yet (both offered).
 */
export function depositWays(
  terms: Pick<SiteTerms, "relay">,
  canPayGas: boolean | undefined,
): OpenVia[] {
  if (!terms.relay) return ["self"];
  return canPayGas === false ? ["relay"] : ["relay", "self"];
}

/** The choice between the site's relay and the reader's own transaction (opens and top-ups). */
export function DepositWay({
  ways,
  via,
  onVia,
  testid,
  minDeposit,
}: {
  ways: OpenVia[];
  via: OpenVia;
  onVia: (via: OpenVia) => void;
  /** Prefix of the test ids: `<testid>-relay`, `<testid>-self`, `<testid>-relay-only`. */
  testid: string;
  minDeposit: string;
}) {
  if (!ways.includes("relay")) return null;
  if (ways.length === 1) {
    return (
      <p className="muted" data-testid={`${testid}-relay-only`}>
        Your wallet has no ETH for gas, so the site sends the transaction for you: you only sign a
        deposit authorization ({minDeposit} at least).
      </p>
    );
  }
  return (
    <div className="modes">
      <label>
        <input
          type="radio"
          name={testid}
          data-testid={`${testid}-relay`}
          checked={via === "relay"}
          onChange={() => onVia("relay")}
        />{" "}
        The site sends the transaction: one signature, no gas ({minDeposit} at least)
      </label>
      <label>
        <input
          type="radio"
          name={testid}
          data-testid={`${testid}-self`}
          checked={via === "self"}
          onChange={() => onVia("self")}
        />{" "}
        Send it myself with my wallet (I pay the gas)
      </label>
    </div>
  );
}

/** Callbacks that move the steps along. */
export interface StepReporter {
  onEvent: (event: PayerEvent) => void;
  onError: () => void;
  onDone: () => void;
}

/** Deposit presets: multiples of the typical price. */
const PRESETS = [5n, 10n, 25n];

export function OpenForm({
  terms,
  price,
  busy,
  tokenBalance,
  canPayGas,
  testTokens,
  onOpen,
}: {
  terms: SiteTerms;
  price: bigint;
  busy: boolean;
  tokenBalance?: bigint;
  /** Whether the reader's ETH covers the gas of their own transactions (undefined: not known yet). */
  canPayGas?: boolean;
  /** The "get test tokens" offer for a deposit the reader cannot fund (local chain only). */
  testTokens?: (deposit: bigint) => ReactNode;
  onOpen: (choice: OpenChoice, steps: StepReporter) => Promise<void>;
}) {
  const typical = BigInt(terms.typicalPrice) > 0n ? BigInt(terms.typicalPrice) : price;
  const atLeastPrice = (v: bigint) => (v < price ? price : v);
  const minRelayed = terms.relay ? BigInt(terms.relay.minDeposit) : 0n;
  const suggested = atLeastPrice(typical * 10n);
  const defaultDeposit = suggested < minRelayed ? minRelayed : suggested;
  const [deposit, setDeposit] = useState(tokenInput(defaultDeposit, terms));
  const ways = depositWays(terms, canPayGas);
  const [chosenVia, setVia] = useState<OpenVia>("relay");
  const via: OpenVia = ways.includes(chosenVia) ? chosenVia : ways[0]!;
  const [stepsVia, setStepsVia] = useState<OpenVia>(via);
  const [mode, setMode] = useState<PayMode>("auto");
  // Through the relay, no preset under its minimum deposit (equal ones shown once).
  const presets = [
    ...new Set(
      PRESETS.map((m) => {
        const v = atLeastPrice(typical * m);
        return via === "relay" && v < minRelayed ? minRelayed : v;
      }),
    ),
  ];
  const [max, setMax] = useState(tokenInput(price * 2n, terms));
  const [cap, setCap] = useState<string | undefined>(undefined);
  const [invalid, setInvalid] = useState<string>();
  const [steps, setSteps] = useState<Steps>();
  const [detail, setDetail] = useState<Partial<Record<keyof Steps, string>>>({});

  const depositUnits = parseTokenInput(deposit, terms);
  const capText = cap ?? deposit;
  const needsTokens =
    terms.localChain &&
    tokenBalance !== undefined &&
    depositUnits !== undefined &&
    tokenBalance < depositUnits;

  function submit() {
    const maxUnits = parseTokenInput(max, terms);
    const capUnits = parseTokenInput(capText, terms);
    if (depositUnits === undefined || depositUnits < price) {
      setInvalid(`The deposit must be at least the price, ${tokens(price, terms)}.`);
      return;
    }
    if (via === "relay" && depositUnits < minRelayed) {
      setInvalid(
        `The site opens channels with a deposit of at least ${tokens(minRelayed, terms)}.`,
      );
      return;
    }
    if (mode === "auto" && (maxUnits === undefined || capUnits === undefined)) {
      setInvalid("Enter auto-pay's limits as token amounts, e.g. 2 or 0.5.");
      return;
    }
    setInvalid(undefined);
    setSteps(initialSteps());
    setDetail({});
    setStepsVia(via);
    const reporter: StepReporter = {
      onEvent: (e) => {
        if (e.type === "opening-channel") setSteps((s) => advance(s!, "permit"));
        if (e.type === "signing-authorization")
          setDetail((d) => ({ ...d, permit: "confirm it in your wallet" }));
        if (e.type === "relay-requested") {
          setSteps((s) => advance(s!, "transaction"));
          setDetail((d) => ({ ...d, permit: "signed", transaction: "sent to the site" }));
        }
        if (e.type === "relay-pending")
          setDetail((d) => ({ ...d, transaction: `${e.txHash.slice(0, 10)}… being mined` }));
        if (e.type === "sending-transaction") {
          setSteps((s) => advance(s!, "transaction"));
          setDetail((d) => ({ ...d, transaction: "confirm it in your wallet" }));
        }
        if (e.type === "transaction-sent") {
          setSteps((s) => advance(s!, "transaction"));
          setDetail((d) => ({ ...d, transaction: `${e.what} ${e.txHash.slice(0, 10)}…` }));
        }
        if (e.type === "channel-opened") {
          setSteps((s) => advance(s!, "confirmations"));
          setDetail((d) =>
            e.via === "relay"
              ? {
                  ...d,
                  permit: "signed",
                  transaction: `opened by the site, no gas paid (${e.txHash.slice(0, 10)}…)`,
                }
              : {
                  ...d,
                  permit: e.permit ? "signed" : "not supported by the token: approved instead",
                },
          );
        }
        if (e.type === "waiting-confirmations") {
          setSteps((s) => advance(s!, "confirmations"));
          setDetail((d) => ({ ...d, confirmations: `${e.missing} to go` }));
        }
        if (e.type === "waiting-for-site") setSteps((s) => advance(s!, "site"));
        if (e.type === "paid") setSteps(allDone());
      },
      onError: () => setSteps((s) => (s ? failActive(s) : s)),
      onDone: () => setSteps(allDone()),
    };
    void onOpen(
      {
        deposit: depositUnits,
        mode,
        maxPerArticle: mode === "auto" ? maxUnits! : 0n,
        cap: mode === "auto" ? capUnits! : 0n,
        via,
      },
      reporter,
    );
  }

  return (
    <form
      className="paywall-form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      {needsTokens && testTokens ? testTokens(depositUnits) : null}
      <fieldset disabled={busy}>
        <legend>Open a payment channel</legend>
        <label>
          Deposit ({amountUnit(terms)})
          <input
            data-testid="deposit-input"
            inputMode="decimal"
            value={deposit}
            onChange={(e) => setDeposit(e.target.value)}
          />
        </label>
        <span className="presets">
          {presets.map((v) => {
            return (
              <button
                key={v.toString()}
                type="button"
                className="link-button"
                onClick={() => setDeposit(tokenInput(v, terms))}
              >
                {tokens(v, terms)}
              </button>
            );
          })}
        </span>
        <p className="muted">
          The deposit stays yours: each article takes its price from it, and closing the channel
          returns the rest.
        </p>
        <div className="modes">
          <label>
            <input
              type="radio"
              name="pay-mode"
              data-testid="mode-auto"
              checked={mode === "auto"}
              onChange={() => setMode("auto")}
            />{" "}
            Auto-pay: this browser pays articles by itself, within your limits
          </label>
          <label>
            <input
              type="radio"
              name="pay-mode"
              data-testid="mode-confirm"
              checked={mode === "confirm"}
              onChange={() => setMode("confirm")}
            />{" "}
            Confirm each payment in my wallet
          </label>
        </div>
        {mode === "auto" ? (
          <div className="limits">
            <LimitsFields terms={terms} max={max} cap={capText} onMax={setMax} onCap={setCap} />
          </div>
        ) : null}
        <DepositWay
          ways={ways}
          via={via}
          onVia={setVia}
          testid="open-via"
          minDeposit={tokens(minRelayed, terms)}
        />
        {invalid ? <p className="paywall-invalid">{invalid}</p> : null}
        <button
          type="submit"
          className={needsTokens ? undefined : "primary"}
          data-testid="open-channel"
          disabled={busy || needsTokens}
        >
          Open channel and pay {tokens(price, terms)}
        </button>
        {needsTokens ? (
          <p className="muted">You need more tokens for this deposit: get test tokens first.</p>
        ) : null}
      </fieldset>
      {steps ? <OpenSteps steps={steps} detail={detail} via={stepsVia} /> : null}
    </form>
  );
}
