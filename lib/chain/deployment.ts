import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { addressSchema, bytes32Schema } from "../protocol/wire";

/** Contents of the deployment file written by the deploy step and read by the app. */
export const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  /** Hash of block 0: a different value means the chain was reset and the file is stale. */
  genesisHash: bytes32Schema,
  contract: addressSchema,
  token: addressSchema,
  /** Block of the contract's deployment: where the indexer starts. */
  startBlock: z.number().int().nonnegative(),
  challengePeriod: z.number().int().min(500),
  deployer: addressSchema,
  deployedAt: z.string(),
});

export type Deployment = z.infer<typeof deploymentSchema>;

/** Reads and validates a deployment file; undefined when it does not exist. */
export function readDeployment(file: string): Deployment | undefined {
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new Error(`${file} is not valid JSON`, { cause });
  }
  const parsed = deploymentSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join(".")).join(", ");
    throw new Error(`${file} is not a valid deployment file (bad fields: ${fields})`);
  }
  return parsed.data;
}

/** Writes a deployment file atomically (temporary file + rename), creating its directory. */
export function writeDeployment(file: string, deployment: Deployment): void {
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(deploymentSchema.parse(deployment), null, 2)}\n`);
  renameSync(tmp, file);
}
