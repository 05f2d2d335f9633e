/**
 * Micro-benchmark of BalanceProof signer recovery: viem (pure JS) vs the server's fast path
 * (native secp256k1). Run: `npx tsx scripts/bench-verify.ts [seconds per run, default 2]`.
 */
import { privateKeyToAccount } from "viem/accounts";
import {
  channelDomain,
  recoverBalanceProofSigner,
  signBalanceProof,
  type ProofMessage,
} from "../lib/protocol";
import { createProofVerifier } from "../lib/protocol/fast-verify";

const CHAIN_ID = 31337;
const CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const account = privateKeyToAccount(
  "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
);
const seconds = Number(process.argv[2] ?? 2);

async function measure(name: string, run: (i: number) => unknown): Promise<number> {
  const budget = seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() - start < budget) {
    for (let k = 0; k < 50; k++) await run(count++);
  }
  const rate = count / ((performance.now() - start) / 1000);
  console.log(
    `${name.padEnd(36)} ${Math.round(rate).toLocaleString("en-US").padStart(8)} recovers/s`,
  );
  return rate;
}

async function main(): Promise<void> {
  const domain = channelDomain({ chainId: CHAIN_ID, contract: CONTRACT });
  // Distinct balances, as in real traffic (the digest differs on every request).
  const proofs: { message: ProofMessage; signature: `0x${string}` }[] = [];
  for (let i = 0; i < 256; i++) {
    const message: ProofMessage = {
      sender: account.address,
      receiver: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      openBlockNumber: 1234567,
      balance: BigInt(i + 1) * 10n ** 15n,
    };
    proofs.push({ message, signature: await signBalanceProof({ account, domain, message }) });
  }
  const verifier = createProofVerifier({ chainId: CHAIN_ID, contract: CONTRACT });
  const check = (signer: string | null) => {
    if (signer !== account.address) throw new Error(`wrong signer ${signer}`);
  };

  console.log(`node ${process.version}, ${seconds} s per run`);
  const slow = await measure("viem recoverTypedDataAddress", async (i) => {
    const p = proofs[i % proofs.length]!;
    check(await recoverBalanceProofSigner(domain, p.message, p.signature));
  });
  const fast = await measure("fast-verify (native secp256k1)", (i) => {
    const p = proofs[i % proofs.length]!;
    check(verifier.recoverBalanceProofSigner(p.message, p.signature));
  });
  console.log(`speed-up ×${(fast / slow).toFixed(1)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
