-- CreateTable
CREATE TABLE "ArchivedProof" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chainId" INTEGER NOT NULL,
    "contract" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "openBlock" INTEGER NOT NULL,
    "signer" TEXT NOT NULL,
    "deposit" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "balance" TEXT NOT NULL,
    "signature" TEXT,
    "withdrawn" TEXT NOT NULL,
    "archivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE UNIQUE INDEX "ArchivedProof_chainId_contract_receiver_sender_openBlock_key" ON "ArchivedProof"("chainId", "contract", "receiver", "sender", "openBlock");
