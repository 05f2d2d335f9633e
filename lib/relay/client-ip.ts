/**
 * The client's IP address for the relay's per-IP rate: the last entry of `X-Forwarded-For` (the
 * address the nearest proxy saw: nginx's `$proxy_add_x_forwarded_for` appends it), else
 * `X-Real-IP`; `next start` itself fills `X-Forwarded-For` with the socket's address when the
 * request has none. Earlier entries are the client's own claims and are ignored.
 */
export function clientIp(req: Request): string {
  const forwarded = req.headers.get("x-forwarded-for");
  const last = forwarded?.split(",").at(-1)?.trim();
  if (last) return last.slice(0, 64);
  return req.headers.get("x-real-ip")?.trim().slice(0, 64) || "unknown";
}
