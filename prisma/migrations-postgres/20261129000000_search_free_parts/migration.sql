-- Full-text search covers only what every reader sees free: the slug, the title, the teaser and
-- the key facts (infobox). The paid body is left out: a search must not tell which words it
-- contains. lib/content/search.ts queries this expression, so it must stay identical.
DROP INDEX "Article_search_idx";

CREATE INDEX "Article_search_idx" ON "Article" USING GIN (
  to_tsvector('simple', "slug" || ' ' || "title" || ' ' || "teaser" || ' ' || "infobox")
);
