-- Encyclopedia content: a category (the source's region) and an infobox of key facts (JSON text)
-- per article, plus a full-text index kept in sync with Article by triggers.
-- AlterTable
ALTER TABLE "Article" ADD COLUMN "category" TEXT NOT NULL DEFAULT '';
ALTER TABLE "Article" ADD COLUMN "infobox" TEXT NOT NULL DEFAULT '{}';

-- CreateIndex
CREATE INDEX "Article_category_idx" ON "Article"("category");

-- Full-text search (FTS5; Prisma does not model it: query it with $queryRaw). rowid = Article.id.
CREATE VIRTUAL TABLE "ArticleSearch" USING fts5(slug UNINDEXED, title, teaser, body);

CREATE TRIGGER "Article_search_insert" AFTER INSERT ON "Article" BEGIN
  INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, body)
  VALUES (new."id", new."slug", new."title", new."teaser", new."body");
END;

CREATE TRIGGER "Article_search_delete" AFTER DELETE ON "Article" BEGIN
  DELETE FROM "ArticleSearch" WHERE rowid = old."id";
END;

CREATE TRIGGER "Article_search_update" AFTER UPDATE OF "slug", "title", "teaser", "body" ON "Article" BEGIN
  DELETE FROM "ArticleSearch" WHERE rowid = old."id";
  INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, body)
  VALUES (new."id", new."slug", new."title", new."teaser", new."body");
END;

-- Articles that exist already.
INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, body)
SELECT "id", "slug", "title", "teaser", "body" FROM "Article";
