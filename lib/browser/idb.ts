/**
 * The site's one IndexedDB database in the browser: channels, session keys, auto-pay settings and
 * the local payment history, each in its own object store. A small promise layer over the raw API.
 */

/** The database's name (one per site origin, as IndexedDB is per origin). */
export const DB_NAME = "paychan";
const DB_VERSION = 1;

/** The object stores and their key paths. */
export const STORES = {
  channels: "channels",
  sessionKeys: "sessionKeys",
  autopay: "autopay",
  history: "history",
} as const;

export type StoreName = (typeof STORES)[keyof typeof STORES];

let opened: Promise<IDBDatabase> | undefined;

function promised<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Opens (and on first use creates) the site's database; the connection is shared. */
export function openDb(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    if (typeof indexedDB === "undefined") {
      reject(new Error("IndexedDB is not available in this browser."));
      return;
    }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      db.createObjectStore(STORES.channels, { keyPath: "key" });
      db.createObjectStore(STORES.sessionKeys, { keyPath: "address" });
      db.createObjectStore(STORES.autopay, { keyPath: "key" });
      db.createObjectStore(STORES.history, { keyPath: "id", autoIncrement: true });
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading (or deleting) the database: let it, reopen on the next call.
      db.onversionchange = () => {
        db.close();
        opened = undefined;
      };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error("The site's database is blocked by another tab."));
  });
  opened.catch(() => (opened = undefined));
  return opened;
}

/** Closes the shared connection (tests delete the database between cases). */
export async function closeDb(): Promise<void> {
  const db = await opened?.catch(() => undefined);
  db?.close();
  opened = undefined;
}

/** How many records `store` holds (nothing is read or validated). */
export async function countAll(store: StoreName): Promise<number> {
  const db = await openDb();
  return promised(db.transaction(store, "readonly").objectStore(store).count());
}

/** Every record of `store`. */
export async function getAll<T>(store: StoreName): Promise<T[]> {
  return readTogether([store], (read) => read.getAll<T>(store));
}

/** The record of `store` under `key`, if any. */
export async function getOne<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined> {
  return readTogether([store], (read) => read.get<T>(store, key));
}

/** The reads of one readonly transaction (see {@link readTogether}). */
export interface StoreReader {
  getAll<T>(store: StoreName): Promise<T[]>;
  get<T>(store: StoreName, key: IDBValidKey): Promise<T | undefined>;
  /**
   * The records of `store` from the highest key down, as long as `keep` holds (the first record
   * it refuses ends the walk): the newest entries of a store whose keys grow with time, without
   * reading the rest.
   */
  newestWhile<T>(store: StoreName, keep: (value: T) => boolean): Promise<T[]>;
}

/**
 * Reads several stores in one readonly transaction: one snapshot of them, and one round trip to
 * the database for requests issued together (start them all, then await them). `read` may await
 * only requests of this transaction.
 */
export async function readTogether<T>(
  stores: StoreName[],
  read: (reader: StoreReader) => Promise<T>,
): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(stores, "readonly");
  return read({
    getAll: <R>(store: StoreName) => promised(tx.objectStore(store).getAll()) as Promise<R[]>,
    get: <R>(store: StoreName, key: IDBValidKey) =>
      promised(tx.objectStore(store).get(key)) as Promise<R | undefined>,
    newestWhile: <R>(store: StoreName, keep: (value: R) => boolean) =>
      newestIn<R>(tx.objectStore(store), keep),
  });
}

/**
 * The records of an object store of an open transaction from the highest key down, as long as
 * `keep` holds (see {@link StoreReader.newestWhile}).
 */
export function newestIn<T>(store: IDBObjectStore, keep: (value: T) => boolean): Promise<T[]> {
  const request = store.openCursor(null, "prev");
  return new Promise<T[]>((resolve, reject) => {
    const found: T[] = [];
    request.onerror = () => reject(request.error ?? new Error(`reading ${store.name} failed`));
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor || !keep(cursor.value as T)) return resolve(found);
      found.push(cursor.value as T);
      cursor.continue();
    };
  });
}

/** Writes `value` (replacing the record with the same key) and waits for the commit. */
export async function putOne(store: StoreName, value: unknown): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).put(value);
  await committed(tx);
}

/** Deletes the record under `key` and waits for the commit. */
export async function deleteOne(store: StoreName, key: IDBValidKey): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(store, "readwrite");
  tx.objectStore(store).delete(key);
  await committed(tx);
}

/**
 * Reads the record under `key`, passes it to `update` and writes the result (nothing when it is
 * undefined), in one transaction: two tabs never lose each other's update.
 */
export async function updateOne<T>(
  store: StoreName,
  key: IDBValidKey,
  update: (current: T | undefined) => T,
): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(store, "readwrite");
  const os = tx.objectStore(store);
  const next = update((await promised(os.get(key))) as T | undefined);
  if (next !== undefined) os.put(next);
  await committed(tx);
  return next;
}

/**
 * Runs `run` in one readwrite transaction over `stores` (its reads and writes commit together, or
 * not at all: a thrown error aborts it) and returns its result once committed. `run` may await
 * only requests of this transaction.
 */
export async function inTransaction<T>(
  stores: StoreName[],
  run: (
    tx: IDBTransaction,
    get: <R>(store: StoreName, key: IDBValidKey) => Promise<R | undefined>,
  ) => Promise<T>,
): Promise<T> {
  const db = await openDb();
  const tx = db.transaction(stores, "readwrite");
  const done = committed(tx);
  const get = <R>(store: StoreName, key: IDBValidKey) =>
    promised(tx.objectStore(store).get(key)) as Promise<R | undefined>;
  let result: T;
  try {
    result = await run(tx, get);
  } catch (err) {
    done.catch(() => {});
    try {
      tx.abort();
    } catch {
      // Already finished.
    }
    throw err;
  }
  await done;
  return result;
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("The database transaction was aborted."));
  });
}

/** A record without its store key field (`key` or `id`). */
export function withoutKey<T extends object>(
  record: T,
  field: "key" | "id" = "key",
): Omit<T, typeof field> {
  const copy = { ...record } as Record<string, unknown>;
  delete copy[field];
  return copy as Omit<T, typeof field>;
}
