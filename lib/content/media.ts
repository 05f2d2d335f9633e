import { readFile } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db/client";

export interface MediaRecord {
  path: string;
  price: bigint;
  contentType: string;
  status: number;
}

/** Paid media files live outside public/ so nothing serves them for free. */
const MEDIA_DIR = path.join(process.cwd(), "content", "media");
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;
const bytesCache = new Map<string, Buffer>();

/** The media entry for a request path (`["kitten.jpg"]`), or undefined. */
export async function findMedia(segments: string[]): Promise<MediaRecord | undefined> {
  if (segments.length === 0 || !segments.every((s) => NAME_RE.test(s) && s !== ".."))
    return undefined;
  const rel = segments.join("/");
  const m = await db().media.findUnique({ where: { path: rel } });
  return m ? { ...m, price: BigInt(m.price) } : undefined;
}

/** The file's bytes (cached in memory after the first read). */
export async function mediaBytes(m: MediaRecord): Promise<Buffer> {
  let bytes = bytesCache.get(m.path);
  if (!bytes) {
    bytes = await readFile(path.join(MEDIA_DIR, m.path));
    bytesCache.set(m.path, bytes);
  }
  return bytes;
}
