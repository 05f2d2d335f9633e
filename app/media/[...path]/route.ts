import { findMedia, mediaBytes, type MediaRecord } from "@/lib/content/media";
import { withPayment } from "@/lib/paywall/with-payment";

export const dynamic = "force-dynamic";

// GET /media/:path — a paid image, served with its own status (the teapot answers 418)
export const GET = withPayment<{ path: string[] }, MediaRecord>(
  async (_req, { item }) =>
    new Response(new Uint8Array(await mediaBytes(item)), {
      status: item.status,
      headers: { "content-type": item.contentType },
    }),
  {
    load: (_req, { path }) => findMedia(path),
    price: (m) => m.price,
    // Named after the stored file that is served.
    resource: (m) => `media:${m.path}`,
    // An image of a paid article is linked from its page with a grant on this path.
    grantPath: ({ path }) => `/media/${path.join("/")}`,
    countReaders: true,
  },
);

// HEAD /media/:path — the headers of GET, never charged
export const HEAD = GET;
