/** The watchtower's public surface. */
export {
  decideDispute,
  judgeDisputeTx,
  pickProof,
  type DisputeDecision,
  type DisputeChannel,
} from "./decide-dispute";
export { decideReplacement, bumpFees, replacementPolicy } from "./replacement-fees";
export { runWatchtower, type DisputeReport } from "./run-watchtower";
export { withdrawChannel, withdrawChannels, type Withdrawal } from "./withdraw-channels";
