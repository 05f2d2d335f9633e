/**
 * Seeds the demo articles, the World Factbook encyclopedia and the paid media. Idempotent: existing
 * rows are updated by slug or path, never duplicated. One transaction: ~265 rows in about a second.
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
        await tx.article.upsert({ where: { slug: a.slug }, create: { ...a }, update: { ...a } });
      }
      for (const m of seedMedia) {
        await tx.media.upsert({ where: { path: m.path }, create: { ...m }, update: { ...m } });
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
