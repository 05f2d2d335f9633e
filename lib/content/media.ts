import { readFile } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";

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

/** The directory images uploaded from the admin pages are stored in (`MEDIA_UPLOAD_DIR`). */
export function mediaUploadDir(): string {
  // Configured at run time: not a build input to trace.
  return path.resolve(/*turbopackIgnore: true*/ process.cwd(), env().MEDIA_UPLOAD_DIR);
}

/** The media entry for a request path (`["kitten.jpg"]`), or undefined. */
export async function findMedia(segments: string[]): Promise<MediaRecord | undefined> {
  if (segments.length === 0 || !segments.every((s) => NAME_RE.test(s) && s !== ".."))
    return undefined;
  const rel = segments.join("/");
  const m = await db().media.findUnique({ where: { path: rel } });
  return m
    ? { path: m.path, price: BigInt(m.price), contentType: m.contentType, status: m.status }
    : undefined;
}

function isMissing(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "ENOENT";
}

/**
 * The file's bytes (cached in memory after the first read): an uploaded file when there is one,
 * else the seeded file of content/media.
 */
export async function mediaBytes(m: MediaRecord): Promise<Buffer> {
  let bytes = bytesCache.get(m.path);
  if (!bytes) {
    try {
      bytes = await readFile(path.join(/*turbopackIgnore: true*/ mediaUploadDir(), m.path));
    } catch (err) {
      if (!isMissing(err)) throw err;
      bytes = await readFile(path.join(MEDIA_DIR, m.path));
    }
    bytesCache.set(m.path, bytes);
  }
  return bytes;
}

/** Forgets the cached bytes of one file (after an upload replaced it). */
export function forgetMediaBytes(mediaPath: string): void {
  bytesCache.delete(mediaPath);
}
