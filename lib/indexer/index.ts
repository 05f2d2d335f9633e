/** The indexer's public surface: one pass, the background loop, and the SyncState helpers. */
export { runSyncPass, type SyncPassResult } from "./run-sync-pass";
export { startIndexerLoop, stopIndexerLoop } from "./runner";
export { syncOnce, type SyncResult } from "./sync";
export { ensureSyncState } from "./sync-state";
export { projectChannel, type ChannelProjection, type ChannelState } from "./project";
