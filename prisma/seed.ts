/** Seeds the demo articles and media. Idempotent: existing rows are updated, never duplicated. */
import { db } from "../lib/db/client";
import { seedArticles, seedMedia } from "./seed-data";

export async function seed(): Promise<{ articles: number; media: number }> {
  const prisma = db();
  for (const a of seedArticles) {
    await prisma.article.upsert({ where: { slug: a.slug }, create: { ...a }, update: { ...a } });
  }
  for (const m of seedMedia) {
    await prisma.media.upsert({ where: { path: m.path }, create: { ...m }, update: { ...m } });
  }
  return { articles: seedArticles.length, media: seedMedia.length };
}

if (process.argv[1]?.endsWith("seed.ts")) {
  seed()
    .then((n) => console.log(`seeded ${n.articles} articles and ${n.media} media files`))
    .catch((err: unknown) => {
      console.error("seed failed:", err);
      process.exit(1);
    });
}
