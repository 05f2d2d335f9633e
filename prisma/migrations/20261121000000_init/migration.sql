-- CreateTable
CREATE TABLE "Article" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "teaser" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "publishedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Media" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "path" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "status" INTEGER NOT NULL DEFAULT 200
);

-- CreateTable
CREATE TABLE "Channel" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sender" TEXT NOT NULL,
    "openBlock" INTEGER NOT NULL,
    "receiver" TEXT NOT NULL,
    "signer" TEXT NOT NULL,
    "deposit" TEXT NOT NULL DEFAULT '0',
    "seenDeposit" TEXT NOT NULL DEFAULT '0',
    "confirmed" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL DEFAULT 'open',
    "balance" TEXT NOT NULL DEFAULT '0',
    "signature" TEXT,
    "lastResource" TEXT,
    "closeSigned" BOOLEAN NOT NULL DEFAULT false,
    "settleBlock" INTEGER,
    "closingBalance" TEXT,
    "withdrawn" TEXT NOT NULL DEFAULT '0',
    "dispute" TEXT,
    "disputeTx" TEXT,
    "disputeError" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Payment" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "channelId" INTEGER NOT NULL,
    "resource" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "balance" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Payment_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChainEvent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "blockNumber" INTEGER NOT NULL,
    "blockHash" TEXT NOT NULL,
    "logIndex" INTEGER NOT NULL,
    "txHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "openBlock" INTEGER NOT NULL,
    "args" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "IndexedBlock" (
    "number" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chainId" INTEGER NOT NULL,
    "genesisHash" TEXT NOT NULL,
    "contract" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "fromBlock" INTEGER NOT NULL,
    "syncedBlock" INTEGER NOT NULL,
    "headBlock" INTEGER NOT NULL DEFAULT 0,
    "receiverEth" TEXT NOT NULL DEFAULT '0',
    "leaseOwner" TEXT,
    "leaseUntil" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "AuthNonce" (
    "nonce" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Article_slug_key" ON "Article"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "Media_path_key" ON "Media"("path");

-- CreateIndex
CREATE INDEX "Channel_state_idx" ON "Channel"("state");

-- CreateIndex
CREATE UNIQUE INDEX "Channel_sender_openBlock_key" ON "Channel"("sender", "openBlock");

-- CreateIndex
CREATE INDEX "Payment_createdAt_idx" ON "Payment"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Payment_channelId_balance_key" ON "Payment"("channelId", "balance");

-- CreateIndex
CREATE INDEX "ChainEvent_sender_openBlock_idx" ON "ChainEvent"("sender", "openBlock");

-- CreateIndex
CREATE INDEX "ChainEvent_blockNumber_idx" ON "ChainEvent"("blockNumber");

-- CreateIndex
CREATE UNIQUE INDEX "ChainEvent_txHash_logIndex_key" ON "ChainEvent"("txHash", "logIndex");

