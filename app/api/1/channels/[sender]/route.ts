import { z } from "zod";
import { listChannels } from "@/lib/api/channels";
import { channelStatusSchema, senderParamsSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";

/** One sender's channels, same shape and filter as `/api/1/channels` (operator or that sender). */
// GET /api/1/channels/:sender
export const GET = apiRoute(
  {
    auth: "sender",
    params: senderParamsSchema,
    query: z.object({ status: channelStatusSchema }),
  },
  ({ params, query }) => listChannels({ status: query.status, sender: params.sender }),
);
