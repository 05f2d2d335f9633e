"use client";
import { useState } from "react";
import type { ActionResult } from "./channel-view";

/** One finished step of an action: what it did (with its transaction) or why it failed. */
export type LogLine = { ok: true; text: string; txHash?: string } | { ok: false; text: string };

/** State of a running or finished channel action: progress line plus one line per step. */
export function useActionLog() {
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<string | null>(null);
  const [lines, setLines] = useState<LogLine[]>([]);

  /**
   * Runs `step` for each target in turn, showing "label n of m" and each result. Returns the
   * number that succeeded.
   */
  async function runEach<T, V>(
    label: string,
    targets: T[],
    step: (t: T) => Promise<ActionResult<V>>,
    describe: (t: T, v: V) => LogLine,
    name: (t: T) => string,
  ): Promise<number> {
    setBusy(true);
    setLines([]);
    let ok = 0;
    try {
      for (const [i, t] of targets.entries()) {
        setProgress(`${label} ${i + 1} of ${targets.length}…`);
        let line: LogLine;
        try {
          const res = await step(t);
          line = res.ok ? describe(t, res.value) : { ok: false, text: `${name(t)}: ${res.error}` };
        } catch (err) {
          line = { ok: false, text: `${name(t)}: ${err instanceof Error ? err.message : err}` };
        }
        if (line.ok) ok++;
        setLines((prev) => [...prev, line]);
      }
      setProgress(`${label}: ${ok} of ${targets.length} done`);
    } finally {
      setBusy(false);
    }
    return ok;
  }

  return { busy, setBusy, progress, setProgress, lines, setLines, runEach };
}

/** Progress, results (with transaction hashes) and errors of a channel action. */
export function ActionLog({ progress, lines }: { progress: string | null; lines: LogLine[] }) {
  const done = lines.filter((l) => l.ok);
  const failed = lines.filter((l) => !l.ok);
  return (
    <div className="channel-action-log" aria-live="polite">
      {progress && (
        <p className="admin-progress" data-testid="action-progress">
          {progress}
        </p>
      )}
      {done.length > 0 && (
        <ul className="admin-ok" data-testid="action-result">
          {done.map((l, i) => (
            <li key={i}>
              {l.text}
              {l.ok && l.txHash && (
                <>
                  {" "}
                  — tx <code>{l.txHash}</code>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {failed.length > 0 && (
        <ul className="admin-error" role="alert" data-testid="action-error">
          {failed.map((l, i) => (
            <li key={i}>{l.text}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
