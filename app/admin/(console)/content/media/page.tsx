import type { Metadata } from "next";
import { ContentNav } from "@/components/admin/content/content-nav";
import { MediaTable } from "@/components/admin/content/media-table";
import { MediaUploadForm } from "@/components/admin/content/media-upload-client";
import { listAdminMedia } from "@/lib/admin/media-upload";
import { requireOperatorPage } from "@/lib/auth/server";
import { uploadMediaAction } from "../actions";
import { tokenUnit } from "@/lib/chain/token-info";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Images" };

// GET /admin/content/media — upload priced images; the media store's files
export default async function MediaPage() {
  await requireOperatorPage("/admin/content/media");
  const rows = await listAdminMedia();
  const unit = await tokenUnit();
  return (
    <>
      <h1>Images</h1>
      <ContentNav current="/admin/content/media" />
      <section className="admin-card">
        <h2>Upload</h2>
        <p className="muted">
          Each image is paid for at /media/&lt;name&gt;; an article shows it with
          ![alt](/media/&lt;name&gt;), and a reader who paid for the article sees it free.
        </p>
        <MediaUploadForm upload={uploadMediaAction} unit={unit} />
      </section>
      <section className="admin-card">
        <h2>Media files</h2>
        <MediaTable
          unit={unit}
          rows={rows.map(({ path, contentType, size, price }) => ({
            path,
            contentType,
            size,
            price,
          }))}
        />
      </section>
    </>
  );
}
