-- AlterTable
ALTER TABLE "Channel" ADD COLUMN "disputeNonce" INTEGER;
ALTER TABLE "Channel" ADD COLUMN "disputeFee" TEXT;
ALTER TABLE "Channel" ADD COLUMN "disputeTip" TEXT;
ALTER TABLE "Channel" ADD COLUMN "disputeBlock" INTEGER;
ALTER TABLE "Channel" ADD COLUMN "disputeBalance" TEXT;
ALTER TABLE "Channel" ADD COLUMN "disputePrevTxs" TEXT;
