"use client";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import "./channels.css";

const STATUSES = ["open", "closing", "settled", "all"] as const;

/** `/admin/channels?status=&q=` for a filter (page 1; defaults left out). */
function listHref(status: string, q: string): string {
  const params = new URLSearchParams();
  if (status !== "open") params.set("status", status);
  if (q.trim() !== "") params.set("q", q.trim());
  const query = params.toString();
  return query ? `/admin/channels?${query}` : "/admin/channels";
}

/** State filter (applies at once) and sender search of the channel listing. */
export function ChannelFilters({ status, q }: { status: string; q: string }) {
  const router = useRouter();
  const [search, setSearch] = useState(q);

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    router.push(listHref(String(form.get("status") ?? status), search));
  }

  return (
    <form
      className="admin-toolbar channel-filters"
      method="get"
      action="/admin/channels"
      onSubmit={submit}
      role="search"
    >
      <label className="admin-field">
        <span>State</span>
        <select
          name="status"
          defaultValue={status}
          data-testid="channels-filter-status"
          onChange={(e) => router.push(listHref(e.currentTarget.value, search))}
        >
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="admin-field channel-search">
        <span>Sender (address or its start)</span>
        <input
          name="q"
          type="search"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          placeholder="0x…"
          spellCheck={false}
          autoComplete="off"
          data-testid="channels-search"
        />
      </label>
      <button type="submit" className="admin-button" data-testid="channels-search-submit">
        Search
      </button>
    </form>
  );
}
