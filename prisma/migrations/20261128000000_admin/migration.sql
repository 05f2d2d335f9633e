-- Admin pages: drafts and edit times on articles, upstreams configured at run time, 402 counts
-- for the conversion figures, and the size of uploaded media. Columns are added in place (no
-- table rebuild) so the full-text search triggers on "Article" stay as they are.

-- AlterTable
ALTER TABLE "Article" ADD COLUMN "published" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "Article" ADD COLUMN "updatedAt" DATETIME;

-- AlterTable
ALTER TABLE "Media" ADD COLUMN "size" INTEGER;

-- CreateTable
CREATE TABLE "UpstreamRoute" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "prefix" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "UpstreamRoute_prefix_key" ON "UpstreamRoute"("prefix");

-- CreateTable
CREATE TABLE "ResourceChallenge" (
    "resource" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);
