/**
 * Work only the leader may do (it owns the receiver's transaction queue), asked for from any
 * instance. On the leader, or when no instance leads, {@link onLeader} runs it here; otherwise it
 * writes a LeaderTask row and waits for the leader to run it and store the outcome. On SQLite (one
 * instance) it always runs here.
 */
import { db } from "@/lib/db/client";
import { dbKind } from "@/lib/db/sql";
import { AppError, BadRequestError, translateError, type TranslatedError } from "@/lib/errors";
import { LEASE_OWNER } from "@/lib/indexer/lease";
import { acquireLeadership, holdsLeadership, releaseLeadership } from "./leadership";
import {
  isLeaderWorkKind,
  leaderWork,
  type LeaderWorkInput,
  type LeaderWorkKind,
  type LeaderWorkResult,
} from "./leader-work";
import { fromWire, toWire } from "./wire";

/** Longest wait for a task's outcome (a close waits up to two minutes for its receipt). */
export const TASK_TIMEOUT_MS = 180_000;
const POLL_MS = 100;
/** A task still queued after this long may be run by the waiting instance if nobody leads. */
const TAKE_OVER_AFTER_MS = 3_000;
/** Finished tasks are deleted after this long. */
const KEEP_FINISHED_MS = 3_600_000;

const globalForTasks = globalThis as unknown as { paychanLeaderLoop?: boolean };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runWork(kind: LeaderWorkKind, input: unknown): Promise<unknown> {
  const work = leaderWork[kind] as (input: unknown) => Promise<unknown>;
  return work(input);
}

/** The error a task failed with, thrown again where it was asked for. */
function rethrown(t: TranslatedError): Error {
  if (
    t.status === 400 ||
    t.status === 401 ||
    t.status === 403 ||
    t.status === 404 ||
    t.status === 409 ||
    t.status === 429
  )
    return new BadRequestError(t.error, t.status, t.details ? { ...t.details } : undefined);
  return new AppError(t.error, { status: t.status, expose: true });
}

/** Runs a claimed task and stores its outcome. */
async function execute(id: number, kind: string, input: string): Promise<void> {
  let state = "done";
  let result: string;
  try {
    if (!isLeaderWorkKind(kind))
      throw new AppError(`unknown leader task "${kind}"`, { status: 500 });
    result = toWire(await runWork(kind, fromWire(input)));
  } catch (err) {
    state = "failed";
    result = toWire(translateError(err));
  }
  await db().leaderTask.update({ where: { id }, data: { state, result } });
}

/** Claims a queued task for this instance (one conditional update: nobody else runs it). */
async function claim(id: number): Promise<boolean> {
  const { count } = await db().leaderTask.updateMany({
    where: { id, state: "queued" },
    data: { state: "running", owner: LEASE_OWNER },
  });
  return count === 1;
}

/**
 * Runs `kind` on the leader and resolves with its result, or throws its error.
 *
 * @throws the work's own errors (status and message kept), or a 503 when no leader ran it in time
 */
export async function onLeader<K extends LeaderWorkKind>(
  kind: K,
  input: LeaderWorkInput<K>,
): Promise<LeaderWorkResult<K>> {
  if (dbKind() !== "postgres" || holdsLeadership()) {
    return (await runWork(kind, input)) as LeaderWorkResult<K>;
  }
  if (await acquireLeadership()) return runHereAndMaybeRelease(kind, input);

  const task = await db().leaderTask.create({ data: { kind, input: toWire(input) } });
  const started = Date.now();
  while (Date.now() - started < TASK_TIMEOUT_MS) {
    await sleep(POLL_MS);
    const row = await db().leaderTask.findUnique({ where: { id: task.id } });
    if (!row) break;
    if (row.state === "done") return fromWire<LeaderWorkResult<K>>(row.result ?? "null");
    if (row.state === "failed") throw rethrown(fromWire<TranslatedError>(row.result ?? "{}"));
    // The leader died before taking it: once another leads it runs it; if none does, run it here.
    if (row.state === "queued" && Date.now() - started > TAKE_OVER_AFTER_MS) {
      if ((await acquireLeadership()) && (await claim(task.id))) {
        await execute(task.id, kind, row.input);
        if (!globalForTasks.paychanLeaderLoop) await releaseLeadership();
        continue;
      }
    }
  }
  const cancelled = await db().leaderTask.updateMany({
    where: { id: task.id, state: "queued" },
    data: { state: "cancelled" },
  });
  throw new AppError(
    cancelled.count === 1
      ? `no instance leads (the indexer is not running anywhere): "${kind}" was not run`
      : `the leader is still running "${kind}": check the result on the channel's page`,
    { status: 503, expose: true },
  );
}

async function runHereAndMaybeRelease<K extends LeaderWorkKind>(
  kind: K,
  input: LeaderWorkInput<K>,
): Promise<LeaderWorkResult<K>> {
  try {
    return (await runWork(kind, input)) as LeaderWorkResult<K>;
  } finally {
    // A one-off leader (its indexer loop is off) steps down so the loop of another can lead.
    if (!globalForTasks.paychanLeaderLoop) await releaseLeadership();
  }
}

/**
 * The leader's side: runs the tasks other instances queued. Called by the indexer loop's timer
 * while this instance leads.
 *
 * @returns how many tasks it started
 */
export async function runQueuedTasks(): Promise<number> {
  const queued = await db().leaderTask.findMany({
    where: { state: "queued" },
    orderBy: { id: "asc" },
    take: 16,
  });
  let started = 0;
  for (const t of queued) {
    if (!holdsLeadership() || !(await claim(t.id))) continue;
    started += 1;
    // Each runs on its own; the transaction queue puts their transactions in order.
    void execute(t.id, t.kind, t.input).catch((err) =>
      console.error(`[leader] task ${t.id} (${t.kind}) could not be stored:`, err),
    );
  }
  await db().leaderTask.deleteMany({
    where: {
      state: { in: ["done", "failed", "cancelled"] },
      updatedAt: { lt: new Date(Date.now() - KEEP_FINISHED_MS) },
    },
  });
  return started;
}

/** Marks this process as running the indexer loop (it keeps the leadership it takes). */
export function setLeaderLoop(running: boolean): void {
  globalForTasks.paychanLeaderLoop = running;
}
