import { readFile, stat } from "node:fs/promises";
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
/** Bytes by media path, with the file and version they were read from. */
const bytesCache = new Map<
  string,
  { file: string; mtimeMs: number; size: number; bytes: Buffer }
>();

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

/** The file serving `mediaPath` (an upload wins over a seeded file) and its version. */
async function currentFile(
  mediaPath: string,
): Promise<{ file: string; mtimeMs: number; size: number }> {
  const uploaded = path.join(/*turbopackIgnore: true*/ mediaUploadDir(), mediaPath);
  try {
    const s = await stat(uploaded);
    return { file: uploaded, mtimeMs: s.mtimeMs, size: s.size };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  const seeded = path.join(MEDIA_DIR, mediaPath);
  const s = await stat(seeded);
  return { file: seeded, mtimeMs: s.mtimeMs, size: s.size };
}

/**
 * The file's bytes: an uploaded file when there is one, else the seeded file of content/media.
 * Kept in memory, and read again when the file changed (an upload replaced it, possibly from
 * another process): one `stat` per request.
 */
export async function mediaBytes(m: MediaRecord): Promise<Buffer> {
  const current = await currentFile(m.path);
  const cached = bytesCache.get(m.path);
  if (
    cached &&
    cached.file === current.file &&
    cached.mtimeMs === current.mtimeMs &&
    cached.size === current.size
  )
    return cached.bytes;
  const bytes = await readFile(current.file);
  bytesCache.set(m.path, { ...current, bytes });
  return bytes;
}

/** Forgets the cached bytes of one file (after an upload replaced it; a changed file is noticed anyway). */
export function forgetMediaBytes(mediaPath: string): void {
  bytesCache.delete(mediaPath);
}
