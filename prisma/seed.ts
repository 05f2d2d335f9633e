/**
 * Seeds the demo articles, the World Factbook encyclopedia and the paid media. Idempotent: missing
 * rows are created, seeded rows are refreshed by slug or path, never duplicated, and what the
 * operator changed on the admin pages (an edited article, an uploaded file of a seeded name) is
 * left alone: `npm run demo` seeds on every start. One transaction: ~265 rows in about a second.
 */
import { db } from "../lib/db/client";
import { factbookArticles, seedArticles, seedMedia } from "./seed-data";

export async function seed(): Promise<{ articles: number; media: number }> {
  const articles = [...seedArticles, ...factbookArticles()];
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
      for (const m of seedMedia) {
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
  return { articles: articles.length, media: seedMedia.length };
}

if (process.argv[1]?.endsWith("seed.ts")) {
  seed()
    .then((n) => console.log(`seeded ${n.articles} articles and ${n.media} media files`))
    .catch((err: unknown) => {
      console.error("seed failed:", err);
      process.exit(1);
    });
}
