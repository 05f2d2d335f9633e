/**
 * Articles as the operator manages them: drafts included, created and edited from the admin
 * pages. Readers' paths (lib/content) read the same rows afresh, so every change applies to the
 * next request; a price change applies to new payments only (recorded amounts never change).
 */
import { parseInput } from "@/lib/api/params";
import { tokenUnit } from "@/lib/chain/token-info";
import { renderMarkdown } from "@/lib/content/articles";
import { paywallContext } from "@/lib/paywall/context";
import { createGrant } from "@/lib/paywall/verdict";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { containsText } from "@/lib/db/sql";
import { BadRequestError } from "@/lib/errors";
import {
  articleFieldsSchema,
  newArticleSchema,
  slugSchema,
  type ArticleForm,
} from "./content-validation";

/**
 * `publishedAt` of a draft that was never published (the column cannot be null): the first publish
 * replaces it with the time of publishing.
 */
export const NEVER_PUBLISHED = new Date(0);

/** One row of the articles table. */
export interface AdminArticleRow {
  slug: string;
  title: string;
  author: string;
  category: string;
  price: bigint;
  published: boolean;
  /** Undefined while the article has never been published. */
  publishedAt?: Date;
  updatedAt?: Date;
}

/** An article with everything the edit form shows. */
export interface AdminArticle extends AdminArticleRow {
  teaser: string;
  body: string;
}

type Row = {
  slug: string;
  title: string;
  author: string;
  category: string;
  price: string;
  published: boolean;
  publishedAt: Date;
  updatedAt: Date | null;
};

function toRow(a: Row): AdminArticleRow {
  return {
    slug: a.slug,
    title: a.title,
    author: a.author,
    category: a.category,
    price: BigInt(a.price),
    published: a.published,
    publishedAt: a.publishedAt.getTime() === NEVER_PUBLISHED.getTime() ? undefined : a.publishedAt,
    updatedAt: a.updatedAt ?? undefined,
  };
}

const toAdmin = (a: Row & { teaser: string; body: string }): AdminArticle => ({
  ...toRow(a),
  teaser: a.teaser,
  body: a.body,
});

/** Articles listed per page on the content page. */
export const ARTICLES_PAGE_SIZE = 50;

/** Query of the content page: `?q=` (title, slug or author contains), `?status=`, `?page=`. */
export const articleListQuerySchema = z.object({
  q: z.string().trim().max(200, "must be at most 200 characters").default(""),
  status: z
    .enum(["all", "published", "draft"], { error: "must be one of all, published, draft" })
    .default("all"),
  page: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").default(1),
});
export type ArticleListQuery = z.infer<typeof articleListQuerySchema>;

/** One page of the article list, with the counts the page shows. */
export interface ArticleListPage {
  rows: AdminArticleRow[];
  /** Articles matching the query. */
  total: number;
  /** Drafts among all articles. */
  drafts: number;
  page: number;
  pages: number;
}

/** Articles matching `query`, drafts first, then the newest, one page of them. */
export async function listAdminArticles(
  query: ArticleListQuery = { q: "", status: "all", page: 1 },
): Promise<ArticleListPage> {
  const where = {
    ...(query.status === "all" ? {} : { published: query.status === "published" }),
    ...(query.q
      ? {
          OR: [
            { title: containsText(query.q) },
            { slug: containsText(query.q) },
            { author: containsText(query.q) },
          ],
        }
      : {}),
  };
  const [total, drafts] = await Promise.all([
    db().article.count({ where }),
    db().article.count({ where: { published: false } }),
  ]);
  const pages = Math.max(1, Math.ceil(total / ARTICLES_PAGE_SIZE));
  const page = Math.min(query.page, pages);
  const rows = await db().article.findMany({
    where,
    orderBy: [{ published: "asc" }, { publishedAt: "desc" }, { id: "desc" }],
    skip: (page - 1) * ARTICLES_PAGE_SIZE,
    take: ARTICLES_PAGE_SIZE,
    select: {
      slug: true,
      title: true,
      author: true,
      category: true,
      price: true,
      published: true,
      publishedAt: true,
      updatedAt: true,
    },
  });
  return { rows: rows.map(toRow), total, drafts, page, pages };
}

/**
 * The article with this slug, drafts included.
 *
 * @throws {@link BadRequestError} 404 when there is none
 */
export async function getAdminArticle(slug: string): Promise<AdminArticle> {
  const a = await db().article.findUnique({ where: { slug: parseInput(slugSchema, slug) } });
  if (!a) throw new BadRequestError(`slug: no article ${slug}`, 404);
  return toAdmin(a);
}

/**
 * Creates an article from the form: a draft unless `published` is set.
 *
 * @throws {@link BadRequestError} 400 naming the bad field, 409 when the slug is taken
 */
export async function createArticle(form: ArticleForm): Promise<AdminArticle> {
  const input = parseInput(newArticleSchema(await tokenUnit()), form);
  const taken = await db().article.findUnique({
    where: { slug: input.slug },
    select: { id: true },
  });
  if (taken) throw new BadRequestError(`slug: ${input.slug} is taken`, 409);
  const { price, published, ...fields } = input;
  try {
    const a = await db().article.create({
      data: {
        ...fields,
        price: price.toString(),
        published,
        publishedAt: published ? new Date() : NEVER_PUBLISHED,
      },
    });
    return toAdmin(a);
  } catch (err) {
    // Created by someone else between the check and the insert.
    if ((err as { code?: string }).code === "P2002")
      throw new BadRequestError(`slug: ${input.slug} is taken`, 409);
    throw err;
  }
}

/**
 * Saves the form over the article `slug` (its slug never changes: payments name it). The new price
 * applies to payments from now on.
 *
 * @throws {@link BadRequestError} 400 naming the bad field, 404 when there is no such article
 */
export async function updateArticle(slug: string, form: ArticleForm): Promise<AdminArticle> {
  const current = await getAdminArticle(slug);
  if (form.slug !== undefined && form.slug.trim() !== current.slug)
    throw new BadRequestError("slug: cannot change after creation");
  const { price, published, ...fields } = parseInput(articleFieldsSchema(await tokenUnit()), form);
  const a = await db().article.update({
    where: { slug: current.slug },
    data: {
      ...fields,
      price: price.toString(),
      published,
      updatedAt: new Date(),
      ...(published && !current.publishedAt ? { publishedAt: new Date() } : {}),
    },
  });
  return toAdmin(a);
}

/**
 * Publishes or unpublishes an article. A draft is invisible to readers (404, left out of every
 * list); the first publish sets `publishedAt`.
 *
 * @throws {@link BadRequestError} 404 when there is no such article
 */
export async function setArticlePublished(slug: string, published: boolean): Promise<AdminArticle> {
  const current = await getAdminArticle(slug);
  const a = await db().article.update({
    where: { slug: current.slug },
    data: {
      published,
      updatedAt: new Date(),
      ...(published && !current.publishedAt ? { publishedAt: new Date() } : {}),
    },
  });
  return toAdmin(a);
}

/**
 * The body as readers will see it: Markdown rendered and sanitised (only this site's images). The
 * images carry a grant, as on a paid article, so the operator's preview shows them.
 */
export async function previewArticleBody(body: string): Promise<string> {
  const ctx = await paywallContext();
  return renderMarkdown(body, { grant: (src) => createGrant(ctx, src) });
}
