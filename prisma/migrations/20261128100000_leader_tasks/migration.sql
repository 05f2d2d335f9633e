-- Tasks another instance asks the leader to run (the leader owns the receiver's transaction queue).
-- CreateTable
CREATE TABLE "LeaderTask" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "input" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "result" TEXT,
    "owner" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "LeaderTask_state_idx" ON "LeaderTask"("state");

