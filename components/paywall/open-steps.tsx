/** The steps of opening a channel, as the payer reports them (`data-step`, `data-state`). */

export type StepName = "permit" | "transaction" | "confirmations" | "site";
export type StepState = "pending" | "active" | "done" | "error";
export type Steps = Record<StepName, StepState>;

const LABELS: Record<StepName, string> = {
  permit: "Sign the token permit",
  transaction: "Send the transaction",
  confirmations: "Wait for confirmations",
  site: "The site sees your channel",
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
}: {
  steps: Steps;
  detail?: Partial<Record<StepName, string>>;
}) {
  return (
    <ol className="open-steps" data-testid="open-steps">
      {ORDER.map((s) => (
        <li key={s} data-step={s} data-state={steps[s]} className={`step step-${steps[s]}`}>
          {LABELS[s]}
          {detail?.[s] ? <span className="muted"> — {detail[s]}</span> : null}
        </li>
      ))}
    </ol>
  );
}
