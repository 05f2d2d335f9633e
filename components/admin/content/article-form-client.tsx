"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { priceInputLabel, type TokenUnit } from "@/lib/format";
import { ContentMessage } from "./content-message";
import { editHref, messageOf, type Action, type ArticleFormValues, type Message } from "./types";
import "./content.css";

/** What the save actions answer (enough to say what happened). */
interface Saved {
  slug: string;
  published: boolean;
}

interface Props {
  /** A new article (slug editable) or an existing one (slug shown read-only). */
  initial: ArticleFormValues;
  create?: Action<ArticleFormValues, Saved>;
  update?: Action<{ slug: string; form: ArticleFormValues }, Saved>;
  preview: Action<{ body: string }, string>;
  /** The token's unit: the price is typed in it. */
  unit: TokenUnit;
  /** A message to show first (e.g. after the article was created). */
  notice?: string;
}

/**
 * The article editor: the fields, a Markdown body with a sanitised preview, save. What was typed
 * stays in the form when saving fails.
 */
export function ArticleForm({ initial, create, update, preview, notice, unit }: Props) {
  const router = useRouter();
  const [values, setValues] = useState(initial);
  const [message, setMessage] = useState<Message>(notice ? { kind: "ok", text: notice } : null);
  const [previewHtml, setPreviewHtml] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editing = !create;

  const field =
    (name: keyof ArticleFormValues) =>
    (e: { target: { value: string } }): void =>
      setValues((v) => ({ ...v, [name]: e.target.value }));

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const state = (a: Saved) => (a.published ? "published" : "a draft");
      if (create) {
        const res = await create(values);
        if (res.ok) {
          router.push(`${editHref(res.value.slug)}?created=1`);
          return;
        }
        setMessage(messageOf(res, () => ""));
      } else if (update) {
        const res = await update({ slug: initial.slug, form: values });
        setMessage(messageOf(res, (a) => `Saved ${a.slug} (${state(a)}).`));
      }
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  async function showPreview() {
    setBusy(true);
    try {
      const res = await preview({ body: values.body });
      if (res.ok) setPreviewHtml(res.value);
      else setMessage({ kind: "error", text: res.error });
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  const input = (name: Exclude<keyof ArticleFormValues, "published" | "body">, label: string) => (
    <label className="admin-field">
      <span>{label}</span>
      <input
        name={name}
        value={values[name]}
        onChange={field(name)}
        readOnly={editing && name === "slug"}
        data-testid={`article-${name}`}
      />
    </label>
  );

  return (
    <form className="admin-form content-article-form" onSubmit={save}>
      <ContentMessage message={message} />
      {input("title", "Title")}
      {input("slug", editing ? "Slug (fixed: payments name it)" : "Slug (cannot change later)")}
      {input("teaser", "Teaser (free)")}
      <div className="content-form-row">
        {input("author", "Author")}
        {input("category", "Category (empty for none)")}
        {input("price", priceInputLabel(unit))}
      </div>
      <label className="admin-field">
        <span>Body (Markdown; images as ![alt](/media/name.png))</span>
        <textarea
          name="body"
          value={values.body}
          onChange={field("body")}
          data-testid="article-body"
        />
      </label>
      <label className="content-check">
        <input
          type="checkbox"
          checked={values.published}
          onChange={(e) => setValues((v) => ({ ...v, published: e.target.checked }))}
          data-testid="article-published"
        />{" "}
        Published (unticked: a draft readers cannot see)
      </label>
      <div className="admin-toolbar">
        <button
          type="submit"
          className="admin-button admin-button-primary"
          disabled={busy}
          data-testid="article-save"
        >
          {busy ? "Working…" : editing ? "Save" : "Create"}
        </button>
        <button
          type="button"
          className="admin-button"
          onClick={showPreview}
          disabled={busy}
          data-testid="article-preview"
        >
          Preview
        </button>
      </div>
      {previewHtml !== null && (
        <section className="admin-card content-preview" aria-label="Preview">
          <h2>Preview</h2>
          {/* Rendered by the server's sanitiser: only formatting, links and this site's images. */}
          <div
            className="article-body"
            data-testid="article-preview-html"
            dangerouslySetInnerHTML={{ __html: previewHtml }}
          />
        </section>
      )}
    </form>
  );
}
