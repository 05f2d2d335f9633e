-- Tasks another instance asks the leader to run (the leader owns the receiver's transaction queue).
-- CreateTable
CREATE TABLE "LeaderTask" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "input" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "result" TEXT,
    "owner" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LeaderTask_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LeaderTask_state_idx" ON "LeaderTask"("state");

