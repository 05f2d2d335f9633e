"use server";
/**
 * Server actions of the content pages. Each is an operator action (authorisation, zod input, errors
 * as values); the lib functions validate every field and name it in their errors.
 */
import { refresh } from "next/cache";
import { z } from "zod";
import {
  createArticle,
  previewArticleBody,
  setArticlePublished,
  updateArticle,
} from "@/lib/admin/articles";
import { uploadMediaForm } from "@/lib/admin/media-upload";
import { createUpstream, deleteUpstream, updateUpstream } from "@/lib/admin/upstreams";
import { operatorAction } from "@/lib/auth/action";

const articleFormSchema = z.object({
  slug: z.string().optional(),
  title: z.string(),
  teaser: z.string(),
  author: z.string(),
  category: z.string(),
  price: z.string(),
  body: z.string(),
  published: z.boolean(),
});

const upstreamFormSchema = z.object({ prefix: z.string(), url: z.string(), price: z.string() });

/** Creates an article (a draft unless `published`). */
export const createArticleAction = operatorAction(articleFormSchema, async (form) => {
  const article = await createArticle(form);
  refresh();
  return article;
});

/** Saves the edit form over the article `slug`. */
export const updateArticleAction = operatorAction(
  z.object({ slug: z.string(), form: articleFormSchema }),
  async ({ slug, form }) => {
    const article = await updateArticle(slug, form);
    refresh();
    return article;
  },
);

/** Publishes or unpublishes an article. */
export const setArticlePublishedAction = operatorAction(
  z.object({ slug: z.string(), published: z.boolean() }),
  async ({ slug, published }) => {
    const article = await setArticlePublished(slug, published);
    refresh();
    return article;
  },
);

/** The body rendered and sanitised as readers will see it. */
export const previewArticleAction = operatorAction(
  z.object({ body: z.string().max(500_000, "must be at most 500000 characters") }),
  ({ body }) => previewArticleBody(body),
);

/** Uploads an image (`file`, `name`, `price`, `replace`) into the media store. */
export const uploadMediaAction = operatorAction(
  z.instanceof(FormData, { error: "must be a form" }),
  async (form) => {
    const media = await uploadMediaForm(form);
    refresh();
    return media;
  },
);

/** Configures a paywalled upstream. */
export const createUpstreamAction = operatorAction(upstreamFormSchema, async (form) => {
  const upstream = await createUpstream(form);
  refresh();
  return upstream;
});

/** Changes the URL and price of a configured upstream. */
export const updateUpstreamAction = operatorAction(upstreamFormSchema, async (form) => {
  const upstream = await updateUpstream(form.prefix, form);
  refresh();
  return upstream;
});

/** Removes a configured upstream. */
export const deleteUpstreamAction = operatorAction(
  z.object({ prefix: z.string() }),
  async ({ prefix }) => {
    await deleteUpstream(prefix);
    refresh();
    return prefix;
  },
);
