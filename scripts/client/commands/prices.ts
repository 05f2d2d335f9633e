import { z } from "zod";
import { CliError, EXIT } from "../exit-codes";
import { fetchSite, parseSiteUrl } from "../site";
import { renderTable } from "../table";

const pricesSchema = z.object({
  receiver: z.string(),
  contract: z.string(),
  token: z.string(),
  chain_id: z.number(),
  gateway: z.string(),
  resources: z.array(
    z.object({
      path: z.string(),
      method: z.string(),
      price: z.string(),
      price_label: z.string(),
      kind: z.string(),
      title: z.string().optional(),
    }),
  ),
});

/** The `prices` response as the client reads it. */
export type SitePrices = z.infer<typeof pricesSchema>;

/**
 * Fetches a site's price list (`GET /api/1/prices`).
 *
 * @throws {@link CliError} exit 3 when the site is unreachable, 5 when it answers an error or
 *   something that is not a price list
 */
export async function fetchPrices(site: string): Promise<{ origin: string; prices: SitePrices }> {
  const origin = parseSiteUrl(site, "site").origin;
  const url = new URL("/api/1/prices", origin);
  const res = await fetchSite(url, { headers: { accept: "application/json" } });
  const text = await res.text();
  if (!res.ok) {
    let detail = text.slice(0, 200);
    try {
      detail = (JSON.parse(text) as { error?: string }).error ?? detail;
    } catch {
      // not JSON: keep the text
    }
    throw new CliError(`${url.href} answered HTTP ${res.status}: ${detail}`, EXIT.http);
  }
  let parsed: SitePrices;
  try {
    parsed = pricesSchema.parse(JSON.parse(text));
  } catch {
    throw new CliError(`${url.href} did not answer a price list`, EXIT.http);
  }
  return { origin, prices: parsed };
}

/** `prices <site>`: prints what a site sells, its prices and the deployment to pay on. */
export async function pricesCommand(site: string, out: (line: string) => void): Promise<void> {
  const { origin, prices } = await fetchPrices(site);
  out(`site      ${origin}`);
  out(`chain id  ${prices.chain_id}`);
  out(`contract  ${prices.contract}`);
  out(`token     ${prices.token}`);
  out(`receiver  ${prices.receiver}`);
  out("");
  out(
    renderTable(
      ["KIND", "PRICE", "PATH", "TITLE"],
      prices.resources.map((r) => [r.kind, r.price_label, r.path, r.title ?? ""]),
    ),
  );
}
