-- Full-text search covers only what every reader sees free: the title, the teaser and the key
-- facts (infobox). The paid body is left out: a search must not tell which words it contains.
-- The FTS5 table ArticleSearch is rebuilt with those columns; rowid = Article.id as before.
DROP TRIGGER "Article_search_insert";
DROP TRIGGER "Article_search_delete";
DROP TRIGGER "Article_search_update";
DROP TABLE "ArticleSearch";

CREATE VIRTUAL TABLE "ArticleSearch" USING fts5(slug UNINDEXED, title, teaser, facts);

CREATE TRIGGER "Article_search_insert" AFTER INSERT ON "Article" BEGIN
  INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, facts)
  VALUES (new."id", new."slug", new."title", new."teaser", new."infobox");
END;

CREATE TRIGGER "Article_search_delete" AFTER DELETE ON "Article" BEGIN
  DELETE FROM "ArticleSearch" WHERE rowid = old."id";
END;

CREATE TRIGGER "Article_search_update" AFTER UPDATE OF "slug", "title", "teaser", "infobox" ON "Article" BEGIN
  DELETE FROM "ArticleSearch" WHERE rowid = old."id";
  INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, facts)
  VALUES (new."id", new."slug", new."title", new."teaser", new."infobox");
END;

INSERT INTO "ArticleSearch" (rowid, slug, title, teaser, facts)
SELECT "id", "slug", "title", "teaser", "infobox" FROM "Article";
