import { z } from "zod";
import { listChannels } from "@/lib/api/channels";
import { channelStatusSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";

/** Every channel of the receiver, `?status=open|closing|settled|all` (default open; operator only). */
// GET /api/1/channels
export const GET = apiRoute(
  { auth: "operator", query: z.object({ status: channelStatusSchema }) },
  ({ query }) => listChannels({ status: query.status }),
);
