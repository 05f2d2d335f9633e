/**
 * The steps of opening a channel, as the payer reports them (`data-step`, `data-state`). A channel
 * the site opens through its relay has the same four steps under other words: the deposit
 * authorization is signed ("permit"), the site sends the transaction ("transaction"); the list's
 * `data-via` says which way ("relay" or "self").
 */

export type StepName = "permit" | "transaction" | "confirmations" | "site";
export type StepState = "pending" | "active" | "done" | "error";
export type Steps = Record<StepName, StepState>;

/** How the deposit reaches the contract. */
export type OpenVia = "relay" | "self";

const LABELS: Record<OpenVia, Record<StepName, string>> = {
  self: {
    permit: "Sign the token permit",
    transaction: "Send the transaction",
    confirmations: "Wait for confirmations",
    site: "The site sees your channel",
  },
  relay: {
    permit: "Sign the deposit authorization",
    transaction: "The site is opening your channel…",
    confirmations: "Wait for confirmations",
    site: "The site sees your channel",
  },
};

const ORDER: StepName[] = ["permit", "transaction", "confirmations", "site"];

/** All steps pending. */
export const initialSteps = (): Steps => ({
  permit: "pending",
  transaction: "pending",
  confirmations: "pending",
  site: "pending",
});

/** Marks `step` active and every step before it done. */
export function advance(steps: Steps, step: StepName): Steps {
  const next = { ...steps };
  for (const s of ORDER) {
    if (s === step) {
      next[s] = "active";
      break;
    }
    next[s] = "done";
  }
  return next;
}

/** Marks every step done. */
export const allDone = (): Steps => ({
  permit: "done",
  transaction: "done",
  confirmations: "done",
  site: "done",
});

/** Marks the active step (else the first pending one) as failed. */
export function failActive(steps: Steps): Steps {
  const step =
    ORDER.find((s) => steps[s] === "active") ?? ORDER.find((s) => steps[s] === "pending");
  return step ? { ...steps, [step]: "error" } : steps;
}

/** The list of steps with their state. */
export function OpenSteps({
  steps,
  detail,
  via = "self",
}: {
  steps: Steps;
  detail?: Partial<Record<StepName, string>>;
  via?: OpenVia;
}) {
  return (
    <ol className="open-steps" data-testid="open-steps" data-via={via}>
      {ORDER.map((s) => (
        <li key={s} data-step={s} data-state={steps[s]} className={`step step-${steps[s]}`}>
          {LABELS[via][s]}
          {detail?.[s] ? <span className="muted"> — {detail[s]}</span> : null}
        </li>
      ))}
    </ol>
  );
}
