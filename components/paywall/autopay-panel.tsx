/** The auto-pay setting of the reader: its limits, an editor for them, and revocation. */
import { useState } from "react";
import { putAutoPay, revokeAutoPay, type AutoPaySettings } from "@/lib/browser/autopay";
import { LimitsFields } from "./limits-fields";
import { parseTokenInput, tokenInput, tokens } from "./format";
import type { SiteTerms } from "./types";

export function AutoPayPanel({
  settings,
  terms,
  onChange,
}: {
  settings: AutoPaySettings;
  terms: SiteTerms;
  onChange: (message: string) => void;
}) {
  const [editing, setEditing] = useState(false);
  const [max, setMax] = useState(tokenInput(settings.maxPerArticle, terms));
  const [cap, setCap] = useState(tokenInput(settings.cap, terms));
  const [invalid, setInvalid] = useState<string>();

  async function save() {
    const maxUnits = parseTokenInput(max, terms);
    const capUnits = parseTokenInput(cap, terms);
    if (maxUnits === undefined || capUnits === undefined) {
      setInvalid("Enter the limits as token amounts, e.g. 2 or 0.5.");
      return;
    }
    setInvalid(undefined);
    await putAutoPay({
      ...settings,
      maxPerArticle: maxUnits.toString(),
      cap: capUnits.toString(),
      enabled: true,
    });
    setEditing(false);
    onChange("Auto-pay limits saved.");
  }

  async function revoke() {
    await revokeAutoPay(settings);
    setEditing(false);
    onChange("Auto-pay is off: each payment now waits for you.");
  }

  return (
    <div className="autopay" data-autopay={settings.enabled ? "on" : "off"}>
      <p>
        {settings.enabled
          ? `Auto-pay is on: up to ${tokens(settings.maxPerArticle, terms)} per article, ` +
            `${tokens(settings.spent, terms)} of ${tokens(settings.cap, terms)} spent.`
          : "Auto-pay is off."}{" "}
        <button
          type="button"
          className="link-button"
          data-testid="autopay-settings"
          onClick={() => setEditing((e) => !e)}
        >
          {settings.enabled ? "Change limits" : "Turn on again"}
        </button>
        {settings.enabled ? (
          <>
            {" · "}
            <button
              type="button"
              className="link-button"
              data-testid="autopay-revoke"
              onClick={revoke}
            >
              Turn off
            </button>
          </>
        ) : null}
      </p>
      {editing ? (
        <div className="paywall-form">
          <LimitsFields terms={terms} max={max} cap={cap} onMax={setMax} onCap={setCap} />
          {invalid ? <p className="paywall-invalid">{invalid}</p> : null}
          <button type="button" onClick={save}>
            Save
          </button>
        </div>
      ) : null}
    </div>
  );
}
