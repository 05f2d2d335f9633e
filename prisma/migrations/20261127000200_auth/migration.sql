-- AuthNonce now holds used nonces only (SIWE nonces are stateless tokens; close requests carry
-- client-chosen nonces), keyed by kind. Its rows are short-lived replay guards, not money: the
-- table is recreated empty.
-- DropTable
DROP TABLE "AuthNonce";

-- CreateTable
CREATE TABLE "AuthNonce" (
    "kind" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("kind", "nonce")
);

-- CreateIndex
CREATE INDEX "AuthNonce_expiresAt_idx" ON "AuthNonce"("expiresAt");
