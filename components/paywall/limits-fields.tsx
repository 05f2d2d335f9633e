/** Auto-pay's two limits as token-amount inputs: the most per article and the spending cap. */
import type { SiteTerms } from "./types";
import { amountUnit } from "./format";

export function LimitsFields({
  terms,
  max,
  cap,
  onMax,
  onCap,
}: {
  terms: SiteTerms;
  max: string;
  cap: string;
  onMax: (value: string) => void;
  onCap: (value: string) => void;
}) {
  return (
    <>
      <label>
        Most per article ({amountUnit(terms)})
        <input
          data-testid="per-article-max"
          inputMode="decimal"
          value={max}
          onChange={(e) => onMax(e.target.value)}
        />
      </label>
      <label>
        Spending cap ({amountUnit(terms)})
        <input
          data-testid="spending-cap"
          inputMode="decimal"
          value={cap}
          onChange={(e) => onCap(e.target.value)}
        />
      </label>
    </>
  );
}
