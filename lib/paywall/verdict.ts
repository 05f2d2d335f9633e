/**
 * Unforgeable notes the paywall hands on (HMAC-SHA256 under keys derived from the session secret):
 * - the proxy's verdict that an article request was paid, passed to the article page in a request
 *   header that proxy.ts always deletes from incoming requests first;
 * - grants on the images of a paid article: its page links them with a `grant` query parameter,
 *   so the article's purchase covers them.
 */
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { getAddress, isAddress, type Address } from "viem";
import { env } from "@/lib/env";
import type { PaywallContext } from "./context";

/** The internal request header that carries the proxy's verdict to the article page. */
export const VERDICT_HEADER = "x-paychan-verdict";

/** The query parameter of a media URL that carries an article's grant. */
export const GRANT_PARAM = "grant";

/** How long a verdict is valid: it only travels from the proxy to the page of the same request. */
const VERDICT_TTL_MS = 60_000;

/** How long an image grant is valid (a reader may scroll for a while). */
export const GRANT_TTL_SECONDS = 60 * 60;

let cached: { secret: string; verdict: Buffer; grant: Buffer } | undefined;

function keyFor(ctx: PaywallContext, purpose: "verdict" | "grant"): Buffer {
  const secret = env().SESSION_SECRET ?? ctx.chain.derivedSecret;
  if (cached?.secret !== secret) {
    const derive = (p: string) =>
      Buffer.from(hkdfSync("sha256", secret, `rdn-${p}`, `${p}-v1`, 32));
    cached = { secret, verdict: derive("verdict"), grant: derive("grant") };
  }
  return cached[purpose];
}

function mac(key: Buffer, ...parts: string[]): string {
  return createHmac("sha256", key).update(parts.join("\n")).digest("base64url");
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who a verdict says paid: a sender, or nobody for a free article. */
export interface Verdict {
  how: "paid" | "receipt" | "free";
  sender?: Address;
}

/** The verdict that the request for `resource` (e.g. `article:<slug>`) was paid. */
export function createVerdict(
  ctx: PaywallContext,
  resource: string,
  verdict: Verdict,
  now = Date.now(),
): string {
  const expires = String(now + VERDICT_TTL_MS);
  const sender = verdict.sender ?? "-";
  return [
    verdict.how,
    sender,
    expires,
    mac(keyFor(ctx, "verdict"), verdict.how, sender, resource, expires),
  ].join(".");
}

/** The verdict in `value` when it is authentic, unexpired and for `resource`; else undefined. */
export function verifyVerdict(
  ctx: PaywallContext,
  value: string | null | undefined,
  resource: string,
  now = Date.now(),
): Verdict | undefined {
  const [how, sender, expires, tag, ...rest] = (value ?? "").split(".");
  if (!how || !sender || !expires || !tag || rest.length > 0) return undefined;
  if (how !== "paid" && how !== "receipt" && how !== "free") return undefined;
  if (!/^\d{1,15}$/.test(expires) || Number(expires) <= now) return undefined;
  if (!equal(tag, mac(keyFor(ctx, "verdict"), how, sender, resource, expires))) return undefined;
  if (sender === "-") return { how };
  if (!isAddress(sender, { strict: false })) return undefined;
  return { how, sender: getAddress(sender) };
}

/** A grant on the media file at `mediaPath` (`/media/...`), valid for {@link GRANT_TTL_SECONDS}. */
export function createGrant(ctx: PaywallContext, mediaPath: string, now = Date.now()): string {
  const expires = String(Math.floor(now / 1000) + GRANT_TTL_SECONDS);
  return `${expires}.${mac(keyFor(ctx, "grant"), mediaPath, expires)}`;
}

/** Whether `value` is an authentic, unexpired grant on `mediaPath`. */
export function verifyGrant(
  ctx: PaywallContext,
  value: string | null | undefined,
  mediaPath: string,
  now = Date.now(),
): boolean {
  const [expires, tag, ...rest] = (value ?? "").split(".");
  if (!expires || !tag || rest.length > 0 || !/^\d{1,12}$/.test(expires)) return false;
  if (Number(expires) * 1000 <= now) return false;
  return equal(tag, mac(keyFor(ctx, "grant"), mediaPath, expires));
}
