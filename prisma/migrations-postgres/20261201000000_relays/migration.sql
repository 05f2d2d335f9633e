-- Relayed opens and top-ups: the receiver submits the sender's EIP-3009 authorization and pays the gas.
-- CreateTable
CREATE TABLE "Relay" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "signer" TEXT,
    "openBlock" INTEGER,
    "amount" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "clientIp" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "txHash" TEXT,
    "gasUsed" TEXT,
    "gasCost" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Relay_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Relay_createdAt_idx" ON "Relay"("createdAt");

-- CreateIndex
CREATE INDEX "Relay_sender_createdAt_idx" ON "Relay"("sender", "createdAt");

-- CreateIndex
CREATE INDEX "Relay_clientIp_createdAt_idx" ON "Relay"("clientIp", "createdAt");

-- CreateIndex
CREATE INDEX "Relay_txHash_idx" ON "Relay"("txHash");

-- CreateIndex
CREATE UNIQUE INDEX "Relay_sender_nonce_key" ON "Relay"("sender", "nonce");
