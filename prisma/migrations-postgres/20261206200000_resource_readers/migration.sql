-- One row per reader of a priced resource: whether they were shown the paywall and whether they
-- paid. ResourceChallenge (402 answers counted by earlier versions) is kept as it is.
-- CreateTable
CREATE TABLE "ResourceReader" (
    "resource" TEXT NOT NULL,
    "visitor" TEXT NOT NULL,
    "askedAt" TIMESTAMP(3),
    "paidAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ResourceReader_pkey" PRIMARY KEY ("resource","visitor")
);
