/**
 * Validation of what the operator enters on the content pages: token prices, article fields,
 * image names and bytes, upstream prefixes and URLs. Pure functions and zod schemas (no database),
 * so every rule is unit-tested; failures are 400 `BadRequestError`s naming the field.
 */
import { parseUnits } from "viem";
import { z } from "zod";
import { SLUG_RE } from "@/lib/content/slug";
import { BadRequestError } from "@/lib/errors";
import { isDollarToken, type TokenUnit } from "@/lib/format";
import { MAX_UINT192 } from "@/lib/protocol/wire";

const AMOUNT_RE = /^[0-9]{1,58}(\.[0-9]+)?$/;

/**
 * A price typed in the token's unit → token base units; more than 0 and within uint192. For a
 * dollar token (`isDollarToken`) `"0.05"` and `"$0.05"` are both 5 cents; a value with more
 * decimals than the token has is refused (it has no such base unit).
 */
export function tokenPriceSchema(unit: TokenUnit) {
  const dollars = isDollarToken(unit.symbol);
  const example = dollars ? "a dollar amount like 0.05" : `a token amount like 0.25`;
  return z
    .string({ error: `must be ${example}` })
    .trim()
    .transform((v) => (dollars ? v.replace(/^\$\s*/, "") : v))
    .refine((v) => AMOUNT_RE.test(v), { message: `must be ${example}`, abort: true })
    .refine(
      (v) => (v.split(".")[1]?.length ?? 0) <= unit.decimals,
      `must have at most ${unit.decimals} decimals (${unit.symbol} has no smaller unit)`,
    )
    .transform((v) => parseUnits(v, unit.decimals))
    .refine((v) => v > 0n, "must be more than 0")
    .refine((v) => v <= MAX_UINT192, "is too large");
}

const text = (max: number) =>
  z
    .string({ error: "must be text" })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`);

/** An article slug (the site's one rule, {@link SLUG_RE}). */
export const slugSchema = z
  .string({ error: "must be text" })
  .trim()
  .regex(SLUG_RE, "must be lowercase letters, digits and dashes (at most 121), like my-article");

/** A category: empty for none, else the home page's `?category=` form. */
export const categorySchema = z
  .string({ error: "must be text" })
  .trim()
  .regex(/^([a-z0-9-]{1,60})?$/, "must be empty or lowercase letters, digits and dashes");

/** The editable fields of an article (the slug is fixed at creation), priced in `unit`. */
export const articleFieldsSchema = (unit: TokenUnit) =>
  z.object({
    title: text(200),
    teaser: text(2000),
    author: text(200),
    category: categorySchema.default(""),
    price: tokenPriceSchema(unit),
    body: text(500_000),
    published: z.boolean({ error: "must be true or false" }).default(false),
  });
export type ArticleFields = z.output<ReturnType<typeof articleFieldsSchema>>;

/** A new article: its fields and its slug. */
export const newArticleSchema = (unit: TokenUnit) =>
  articleFieldsSchema(unit).extend({ slug: slugSchema });
export type NewArticle = z.output<ReturnType<typeof newArticleSchema>>;

/** What the article form sends (strings as typed; validated by the schemas above). */
export interface ArticleForm {
  slug?: string;
  title: string;
  teaser: string;
  author: string;
  category: string;
  price: string;
  body: string;
  published: boolean;
}

/** The most an uploaded image may weigh. */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;

/** An uploaded image's name: the media store's rule, with an image extension. */
export const mediaNameSchema = z
  .string({ error: "must be text" })
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/, "must be letters, digits, '.', '_' or '-'")
  .regex(/\.(png|jpe?g|gif|webp)$/i, "must end in .png, .jpg, .jpeg, .gif or .webp");

const EXTENSION_TYPE: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
};

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, to));

/** The image type the bytes are (by their magic numbers), or undefined for anything else. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  if (bytes.length >= 8 && ascii(bytes, 1, 4) === "PNG" && bytes[0] === 0x89) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return "image/jpeg";
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(ascii(bytes, 0, 6))) return "image/gif";
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === "RIFF" && ascii(bytes, 8, 12) === "WEBP")
    return "image/webp";
  return undefined;
}

/**
 * Checks an upload: its size, that its bytes are a PNG, JPEG, GIF or WebP (SVG is refused: it can
 * carry script), and that the name's extension and the browser's declared type agree with them.
 * Returns the content type to serve it with.
 */
export function checkImage(name: string, bytes: Uint8Array, declaredType = ""): string {
  if (bytes.length === 0) throw new BadRequestError("file: is empty");
  if (bytes.length > MAX_IMAGE_BYTES)
    throw new BadRequestError(`file: is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MiB`);
  const type = sniffImageType(bytes);
  if (!type)
    throw new BadRequestError(
      "file: must be a PNG, JPEG, GIF or WebP image (SVG is refused: it can carry script)",
    );
  if (declaredType && declaredType !== type && declaredType !== "application/octet-stream")
    throw new BadRequestError(`file: is ${type}, not ${declaredType}`);
  const ext = name.slice(name.lastIndexOf(".") + 1).toLowerCase();
  if (EXTENSION_TYPE[ext] !== type)
    throw new BadRequestError(`name: .${ext} does not match the file's type ${type}`);
  return type;
}

/** A configured upstream's prefix on this site, e.g. `/docs` or `/docs/v2` (no trailing slash). */
export const upstreamPrefixSchema = z
  .string({ error: "must be text" })
  .trim()
  .max(200, "must be at most 200 characters")
  .regex(
    /^\/[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/,
    "must be a path like /docs (lowercase letters, digits, '.', '_', '-'; no trailing slash)",
  )
  .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), "must not contain . or ..");

/** A configured upstream's base URL: http(s), no credentials, query or fragment. */
export const upstreamUrlSchema = z
  .string({ error: "must be text" })
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine((v) => {
    if (!URL.canParse(v)) return false;
    const u = new URL(v);
    return (
      (u.protocol === "http:" || u.protocol === "https:") &&
      !u.username &&
      !u.password &&
      !u.search &&
      !u.hash &&
      !v.includes("?") &&
      !v.includes("#")
    );
  }, "must be an http(s) URL without credentials, query or fragment");
