/** The watchtower's public surface. */
export { decideDispute, type DisputeDecision, type DisputeChannel } from "./decide-dispute";
export { runWatchtower, type DisputeReport } from "./run-watchtower";
export { withdrawChannels, type Withdrawal } from "./withdraw-channels";
