/**
 * Request bodies read with a limit: anybody may POST to the API, so no route reads more than it
 * needs. The declared Content-Length is checked before reading; a body without one (chunked) is
 * counted while it streams and reading stops at the limit.
 */
import { PayloadTooLargeError } from "@/lib/errors";

/** Largest JSON body an API route reads (64 KiB): sign-in, close and withdraw bodies are < 2 KiB. */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/**
 * The body of `req` as UTF-8 text, at most `limit` bytes.
 *
 * @throws {@link PayloadTooLargeError} 413 when Content-Length declares more than `limit`, or when
 *   more than `limit` bytes arrive
 * @example
 * const text = await readBodyText(req); // throws 413 past 64 KiB
 */
export async function readBodyText(req: Request, limit = MAX_JSON_BODY_BYTES): Promise<string> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new PayloadTooLargeError(limit);
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Stops reading: the rest is never buffered.
      await reader.cancel().catch(() => undefined);
      throw new PayloadTooLargeError(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
