"use client";
import { useRef, useState, type FormEvent } from "react";
import { formatToken, priceInputLabel, type TokenUnit } from "@/lib/format";
import { ContentMessage } from "./content-message";
import { messageOf, type Action, type Message } from "./types";
import "./content.css";

interface Uploaded {
  path: string;
  price: bigint;
  size?: number;
}

/**
 * Uploads an image (PNG, JPEG, GIF or WebP, at most 5 MiB) with its price. The typed name and
 * price stay when the upload is refused.
 */
export function MediaUploadForm({
  upload,
  unit,
}: {
  upload: Action<FormData, Uploaded>;
  unit: TokenUnit;
}) {
  const fileRef = useRef<HTMLInputElement>(null);
  const [name, setName] = useState("");
  const [price, setPrice] = useState("");
  const [replace, setReplace] = useState(false);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const form = new FormData();
    const file = fileRef.current?.files?.[0];
    if (file) form.set("file", file);
    form.set("name", name);
    form.set("price", price);
    if (replace) form.set("replace", "on");
    setBusy(true);
    setMessage(null);
    try {
      const res = await upload(form);
      setMessage(
        messageOf(
          res,
          (m) => `Uploaded ${m.path} (${m.size ?? 0} bytes) at ${formatToken(m.price, unit)}.`,
        ),
      );
    } catch (err) {
      // A body over the action size limit fails before the action runs.
      setMessage({ kind: "error", text: err instanceof Error ? err.message : String(err) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="admin-form" onSubmit={submit}>
      <ContentMessage message={message} />
      <label className="admin-field">
        <span>Image (PNG, JPEG, GIF or WebP; at most 5 MiB)</span>
        <input
          ref={fileRef}
          type="file"
          name="file"
          accept="image/png,image/jpeg,image/gif,image/webp"
          data-testid="media-file"
          onChange={(e) => {
            const chosen = e.target.files?.[0]?.name;
            if (chosen && !name) setName(chosen);
          }}
        />
      </label>
      <div className="content-form-row">
        <label className="admin-field">
          <span>Name (its path: /media/name)</span>
          <input
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            data-testid="media-name"
          />
        </label>
        <label className="admin-field">
          <span>{priceInputLabel(unit)}</span>
          <input
            name="price"
            value={price}
            onChange={(e) => setPrice(e.target.value)}
            data-testid="media-price"
          />
        </label>
      </div>
      <label className="content-check">
        <input
          type="checkbox"
          checked={replace}
          onChange={(e) => setReplace(e.target.checked)}
          data-testid="media-replace"
        />{" "}
        Replace a file of the same name
      </label>
      <div className="admin-toolbar">
        <button
          type="submit"
          className="admin-button admin-button-primary"
          disabled={busy}
          data-testid="media-upload"
        >
          {busy ? "Uploading…" : "Upload"}
        </button>
      </div>
    </form>
  );
}
