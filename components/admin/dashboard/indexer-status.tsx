/** The indexer's progress as stored by its last pass. */
export interface IndexerStatusProps {
  syncedBlock: number;
  headBlock: number;
  lag: number;
  updatedAt: Date;
}

/** Synced block, head block, lag and the time of the indexer's last pass. */
export function IndexerStatus({ indexer }: { indexer: IndexerStatusProps | null }) {
  return (
    <section className="admin-card" aria-labelledby="indexer-heading">
      <h2 id="indexer-heading">Indexer</h2>
      {indexer ? (
        <div className="admin-grid">
          <div className="admin-figure">
            <span className="label">Synced block</span>
            <span className="value" data-testid="indexer-synced-block">
              {indexer.syncedBlock}
            </span>
          </div>
          <div className="admin-figure">
            <span className="label">Head block</span>
            <span className="value" data-testid="indexer-head-block">
              {indexer.headBlock}
            </span>
          </div>
          <div className="admin-figure">
            <span className="label">Lag (blocks)</span>
            <span className="value" data-testid="indexer-lag">
              {indexer.lag}
            </span>
          </div>
          <div className="admin-figure">
            <span className="label">Last pass (UTC)</span>
            <span className="value">
              <time dateTime={indexer.updatedAt.toISOString()}>
                {indexer.updatedAt.toISOString().replace("T", " ").slice(0, 19)}
              </time>
            </span>
          </div>
        </div>
      ) : (
        <p className="muted">The indexer has not run yet.</p>
      )}
    </section>
  );
}
