-- One-off payments (x402 exact): settled on chain by the receiver, beside the channels' payments.
-- CreateTable
CREATE TABLE "OneOffPayment" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "payer" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "txHash" TEXT NOT NULL,
    "network" TEXT NOT NULL,
    "gasUsed" TEXT NOT NULL,
    "gasCost" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OneOffPayment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "OneOffPayment_txHash_key" ON "OneOffPayment"("txHash");

-- CreateIndex
CREATE INDEX "OneOffPayment_createdAt_idx" ON "OneOffPayment"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OneOffPayment_payer_nonce_key" ON "OneOffPayment"("payer", "nonce");
