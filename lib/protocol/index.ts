/**
 * Browser-safe protocol core. `fast-verify.ts` (native secp256k1, server-only) is deliberately not
 * re-exported here; import it from `@/lib/protocol/fast-verify` in server code.
 */
export * from "./eip712";
export * from "./signature";
export * from "./proofs";
export * from "./headers";
export * from "./wire";
export * from "./terms";
export * from "./authorization";
