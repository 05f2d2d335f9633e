"use client";
import Link from "next/link";
import { useState } from "react";
import { formatToken, type TokenUnit } from "@/lib/format";
import { ContentMessage } from "./content-message";
import { editHref, messageOf, type Action, type Message } from "./types";
import "./content.css";

/** One article as the table shows it. */
export interface ArticleRowProps {
  slug: string;
  title: string;
  author: string;
  category: string;
  price: bigint;
  published: boolean;
}

interface Props {
  rows: ArticleRowProps[];
  unit: TokenUnit;
  setPublished: Action<{ slug: string; published: boolean }, { slug: string; published: boolean }>;
}

/** Every article with its price and status, and a publish/unpublish button per row. */
export function ArticlesTable({ rows, unit, setPublished }: Props) {
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState<string | null>(null);

  async function toggle(slug: string, published: boolean) {
    setBusy(slug);
    setMessage(null);
    try {
      const res = await setPublished({ slug, published });
      setMessage(
        messageOf(res, (a) => `${a.slug} is ${a.published ? "published" : "now a draft"}.`),
      );
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <ContentMessage message={message} />
      <div className="content-table-wrap">
        <table className="admin-table" data-testid="articles-table">
          <thead>
            <tr>
              <th>Title</th>
              <th>Slug</th>
              <th>Author</th>
              <th>Category</th>
              <th className="num">Price</th>
              <th>Status</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((a) => (
              <tr key={a.slug} data-testid={`article-row-${a.slug}`}>
                <td>{a.title}</td>
                <td>
                  <code>{a.slug}</code>
                </td>
                <td>{a.author}</td>
                <td>{a.category}</td>
                <td className="num content-nowrap" data-testid={`article-price-${a.slug}`}>
                  {formatToken(a.price, unit)}
                </td>
                <td>
                  <span
                    className={`admin-badge content-badge-${a.published ? "published" : "draft"}`}
                    data-testid={`article-status-${a.slug}`}
                  >
                    {a.published ? "published" : "draft"}
                  </span>
                </td>
                <td className="content-row-actions">
                  <div className="admin-toolbar">
                    <Link href={editHref(a.slug)} data-testid={`article-edit-${a.slug}`}>
                      Edit
                    </Link>
                    <button
                      type="button"
                      className="admin-button"
                      disabled={busy === a.slug}
                      onClick={() => toggle(a.slug, !a.published)}
                      data-testid={`article-toggle-${a.slug}`}
                    >
                      {a.published ? "Unpublish" : "Publish"}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
