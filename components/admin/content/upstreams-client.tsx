"use client";
import { useState, type FormEvent } from "react";
import { formatToken, priceInputLabel, type TokenUnit } from "@/lib/format";
import { ContentMessage } from "./content-message";
import { messageOf, prefixTestId, type Action, type Message, type Result } from "./types";
import "./content.css";

/** One configured upstream as the table shows it. */
export interface UpstreamRowProps {
  prefix: string;
  url: string;
  price: bigint;
  /** The price in the token's unit, as the form shows it ("0.05"). */
  priceTokens: string;
}

interface Form {
  prefix: string;
  url: string;
  price: string;
}

interface Props {
  rows: UpstreamRowProps[];
  unit: TokenUnit;
  create: Action<Form, { prefix: string }>;
  update: Action<Form, { prefix: string }>;
  remove: Action<{ prefix: string }, string>;
}

const EMPTY: Form = { prefix: "", url: "", price: "" };

/**
 * The configured paywalled upstreams: a form to add one (or change the URL and price of the one
 * being edited) and the table with edit and delete per row.
 */
export function UpstreamsEditor({ rows, unit, create, update, remove }: Props) {
  const [form, setForm] = useState<Form>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  async function run<T>(action: () => Promise<Result<T>>, ok: (value: T) => string) {
    setBusy(true);
    setMessage(null);
    try {
      const res = await action();
      if (res.ok) {
        setForm(EMPTY);
        setEditing(null);
      }
      setMessage(messageOf(res, ok));
    } catch (err) {
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  function save(e: FormEvent) {
    e.preventDefault();
    void run(
      () => (editing ? update({ ...form, prefix: editing }) : create(form)),
      (u) => `Saved ${u.prefix}.`,
    );
  }

  function del(prefix: string) {
    void run(
      () => remove({ prefix }),
      (p) => `Deleted ${p}.`,
    );
  }

  const set = (name: keyof Form) => (e: { target: { value: string } }) =>
    setForm((f) => ({ ...f, [name]: e.target.value }));

  return (
    <>
      <ContentMessage message={message} />
      <form className="admin-form admin-card" onSubmit={save}>
        <h2>{editing ? `Edit ${editing}` : "Add an upstream"}</h2>
        <div className="content-form-row">
          <label className="admin-field">
            <span>Prefix on this site (e.g. /docs)</span>
            <input
              value={editing ?? form.prefix}
              readOnly={editing !== null}
              onChange={set("prefix")}
              data-testid="upstream-prefix"
            />
          </label>
          <label className="admin-field">
            <span>Upstream base URL (http or https)</span>
            <input value={form.url} onChange={set("url")} data-testid="upstream-url" />
          </label>
          <label className="admin-field">
            <span>{priceInputLabel(unit, "Price per request")}</span>
            <input value={form.price} onChange={set("price")} data-testid="upstream-price" />
          </label>
        </div>
        <div className="admin-toolbar">
          <button
            type="submit"
            className="admin-button admin-button-primary"
            disabled={busy}
            data-testid="upstream-save"
          >
            {editing ? "Save changes" : "Add"}
          </button>
          {editing && (
            <button
              type="button"
              className="admin-button"
              onClick={() => {
                setEditing(null);
                setForm(EMPTY);
              }}
            >
              Cancel
            </button>
          )}
        </div>
      </form>
      {rows.length === 0 ? (
        <p className="muted">No upstreams configured here.</p>
      ) : (
        <table className="admin-table" data-testid="upstreams-table">
          <thead>
            <tr>
              <th>Prefix</th>
              <th>Upstream URL</th>
              <th className="num">Price</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((u) => {
              const id = prefixTestId(u.prefix);
              return (
                <tr key={u.prefix} data-testid={`upstream-row-${id}`}>
                  <td>
                    <code>{u.prefix}</code>
                  </td>
                  <td>
                    <code>{u.url}</code>
                  </td>
                  <td className="num">{formatToken(u.price, unit)}</td>
                  <td>
                    <div className="admin-toolbar">
                      <button
                        type="button"
                        className="admin-button"
                        onClick={() => {
                          setEditing(u.prefix);
                          setForm({ prefix: u.prefix, url: u.url, price: u.priceTokens });
                        }}
                        data-testid={`upstream-edit-${id}`}
                      >
                        Edit
                      </button>
                      <button
                        type="button"
                        className="admin-button admin-button-danger"
                        disabled={busy}
                        onClick={() => del(u.prefix)}
                        data-testid={`upstream-delete-${id}`}
                      >
                        Delete
                      </button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
