import { withdrawRequestSchema } from "@/lib/api/params";
import { apiRoute } from "@/lib/api/route";
import { onLeader } from "@/lib/cluster/leader-tasks";

export const dynamic = "force-dynamic";

/**
 * The receiver withdraws the accumulated balances of open channels (operator only); an empty
 * body withdraws every positive amount, `{ minimum }` only amounts of at least that much. The
 * leader sends the transactions, whichever instance got the request.
 */
// POST /api/1/withdraw
export const POST = apiRoute(
  { auth: "operator", body: withdrawRequestSchema },
  async ({ body: { minimum } }) => {
    const withdrawals = await onLeader("withdrawAll", { minimum });
    return {
      withdrawals: withdrawals.map((w) => ({
        sender_address: w.sender,
        open_block: w.openBlock,
        amount: w.amount.toString(),
        tx_hash: w.txHash,
      })),
      total: withdrawals.reduce((sum, w) => sum + w.amount, 0n).toString(),
    };
  },
);
