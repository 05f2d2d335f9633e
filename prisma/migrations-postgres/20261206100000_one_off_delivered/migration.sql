-- An x402 exact transfer mined after its request gave up is recorded undelivered: the payer's same
-- PAYMENT-SIGNATURE is then served once. Every earlier one-off payment was served.
ALTER TABLE "OneOffPayment" ADD COLUMN "delivered" BOOLEAN NOT NULL DEFAULT true;
