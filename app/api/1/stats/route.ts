import { apiRoute } from "@/lib/api/route";
import { getStats } from "@/lib/api/stats";

/** The receiver's channel totals, liquid token balance, addresses and ABIs (operator only). */
// GET /api/1/stats
export const GET = apiRoute({ auth: "operator" }, () => getStats());
