/**
 * Seeds the demo articles, the World Factbook encyclopedia and the paid media. Idempotent: missing
 * rows are created, seeded rows are refreshed by slug or path, never duplicated, and what the
 * operator changed on the admin pages (an edited article, an uploaded file of a seeded name) is
 * left alone: `npm run demo` seeds on every start. One transaction: ~265 rows in about a second.
 *
 * Prices are cents (articles 2–10, media 1–3) scaled by the token's decimals, which the seed
 * learns, in this order, from: the `decimals` option; SEED_TOKEN_DECIMALS (the demo and the
 * Playwright setup read `decimals()` from the chain they just deployed on and pass it); the
 * deployment the site is configured with (DEPLOYMENT_FILE or TOKEN_ADDRESS, read over RPC_URL).
 * When none answers the seed fails: a price written with guessed decimals would be off by powers
 * of ten.
 */
import { tokenUnit } from "../lib/chain/token-info";
import { db } from "../lib/db/client";
import { env } from "../lib/env";
import { factbookArticles, seedArticles, seedMedia, seedPrice } from "./seed-data";

/** The token's decimals, from the option, SEED_TOKEN_DECIMALS or the configured deployment. */
async function seedDecimals(decimals?: number): Promise<number> {
  if (decimals !== undefined) return decimals;
  const fromEnv = env().SEED_TOKEN_DECIMALS;
  if (fromEnv !== undefined) return fromEnv;
  try {
    return (await tokenUnit()).decimals;
  } catch (cause) {
    throw new Error(
      "seed: cannot learn the token's decimals (prices are cents scaled by them): set " +
        "SEED_TOKEN_DECIMALS, or configure the deployment (DEPLOYMENT_FILE, RPC_URL) so that the " +
        `token can be read: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

export async function seed(
  opts: { decimals?: number } = {},
): Promise<{ articles: number; media: number; decimals: number }> {
  const decimals = await seedDecimals(opts.decimals);
  const articles = [...seedArticles, ...factbookArticles()].map(({ cents, ...a }) => ({
    ...a,
    price: seedPrice(cents, decimals),
  }));
  const media = seedMedia.map(({ cents, ...m }) => ({ ...m, price: seedPrice(cents, decimals) }));
  const slugs = new Set(articles.map((a) => a.slug));
  if (slugs.size !== articles.length) throw new Error("seed: duplicate article slugs");
  await db().$transaction(
    async (tx) => {
      for (const a of articles) {
        const { count } = await tx.article.updateMany({
          where: { slug: a.slug, updatedAt: null },
          data: { ...a },
        });
        if (count === 0 && !(await tx.article.findUnique({ where: { slug: a.slug } })))
          await tx.article.create({ data: { ...a } });
      }
      for (const m of media) {
        const { count } = await tx.media.updateMany({
          where: { path: m.path, size: null },
          data: { ...m },
        });
        if (count === 0 && !(await tx.media.findUnique({ where: { path: m.path } })))
          await tx.media.create({ data: { ...m } });
      }
    },
    { timeout: 60_000 },
  );
  return { articles: articles.length, media: media.length, decimals };
}

if (process.argv[1]?.endsWith("seed.ts")) {
  seed()
    .then((n) =>
      console.log(
        `seeded ${n.articles} articles and ${n.media} media files (prices for ${n.decimals} decimals)`,
      ),
    )
    .catch((err: unknown) => {
      console.error("seed failed:", err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
