-- The PostgreSQL baseline: the whole schema as of the SQLite migration of the same name (the
-- PostgreSQL store starts here). Every later migration exists in both directories under one name;
-- tests/integration/db/migrations.test.ts fails when the two schemas differ.
-- CreateTable
CREATE TABLE "Article" (
    "id" SERIAL NOT NULL,
    "slug" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "teaser" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "publishedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "category" TEXT NOT NULL DEFAULT '',
    "infobox" TEXT NOT NULL DEFAULT '{}',
    "published" BOOLEAN NOT NULL DEFAULT true,
    "updatedAt" TIMESTAMP(3),

    CONSTRAINT "Article_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpstreamRoute" (
    "id" SERIAL NOT NULL,
    "prefix" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UpstreamRoute_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ResourceChallenge" (
    "resource" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResourceChallenge_pkey" PRIMARY KEY ("resource")
);

-- CreateTable
CREATE TABLE "Media" (
    "id" SERIAL NOT NULL,
    "path" TEXT NOT NULL,
    "price" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "status" INTEGER NOT NULL DEFAULT 200,
    "size" INTEGER,

    CONSTRAINT "Media_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Channel" (
    "id" SERIAL NOT NULL,
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
    "disputeNonce" INTEGER,
    "disputeFee" TEXT,
    "disputeTip" TEXT,
    "disputeBlock" INTEGER,
    "disputeBalance" TEXT,
    "disputePrevTxs" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Channel_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Payment" (
    "id" SERIAL NOT NULL,
    "channelId" INTEGER NOT NULL,
    "resource" TEXT NOT NULL,
    "amount" TEXT NOT NULL,
    "balance" TEXT NOT NULL,
    "signature" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChainEvent" (
    "id" SERIAL NOT NULL,
    "blockNumber" INTEGER NOT NULL,
    "blockHash" TEXT NOT NULL,
    "logIndex" INTEGER NOT NULL,
    "txHash" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "sender" TEXT NOT NULL,
    "openBlock" INTEGER NOT NULL,
    "args" TEXT NOT NULL,

    CONSTRAINT "ChainEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IndexedBlock" (
    "number" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "IndexedBlock_pkey" PRIMARY KEY ("number")
);

-- CreateTable
CREATE TABLE "SyncState" (
    "id" INTEGER NOT NULL,
    "chainId" INTEGER NOT NULL,
    "genesisHash" TEXT NOT NULL,
    "contract" TEXT NOT NULL,
    "receiver" TEXT NOT NULL,
    "fromBlock" INTEGER NOT NULL,
    "syncedBlock" INTEGER NOT NULL,
    "headBlock" INTEGER NOT NULL DEFAULT 0,
    "receiverEth" TEXT NOT NULL DEFAULT '0',
    "leaseOwner" TEXT,
    "leaseUntil" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SyncState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthNonce" (
    "kind" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AuthNonce_pkey" PRIMARY KEY ("kind","nonce")
);

-- CreateTable
CREATE TABLE "ArchivedProof" (
    "id" SERIAL NOT NULL,
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
    "archivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ArchivedProof_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Article_slug_key" ON "Article"("slug");

-- CreateIndex
CREATE INDEX "Article_category_idx" ON "Article"("category");

-- CreateIndex
CREATE UNIQUE INDEX "UpstreamRoute_prefix_key" ON "UpstreamRoute"("prefix");

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

-- CreateIndex
CREATE INDEX "AuthNonce_expiresAt_idx" ON "AuthNonce"("expiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ArchivedProof_chainId_contract_receiver_sender_openBlock_key" ON "ArchivedProof"("chainId", "contract", "receiver", "sender", "openBlock");

-- AddForeignKey
ALTER TABLE "Payment" ADD CONSTRAINT "Payment_channelId_fkey" FOREIGN KEY ("channelId") REFERENCES "Channel"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Full-text search over articles (SQLite: the FTS5 table ArticleSearch). The 'simple'
-- configuration splits words like FTS5's default tokenizer and does not stem; lib/content/search.ts
-- queries this expression, so it must stay identical.
CREATE INDEX "Article_search_idx" ON "Article" USING GIN (
  to_tsvector('simple', "slug" || ' ' || "title" || ' ' || "teaser" || ' ' || "body")
);
