/**
 * Storage entry point: `openStore` gives the server its `Store` (a RevisionLog over SQLite, with
 * periodic compaction running).
 */
import { join } from "node:path";
import { componentLogger, type Logger } from "../../shared/log.js";
import { Compactor, type CompactorOptions } from "./compactor.js";
import { RevisionLog } from "./revision-log.js";
import { openSqliteDriver } from "./sqlite-driver.js";

export * from "./types.js";
export { RevisionLog } from "./revision-log.js";
export { Compactor, COMPACT_INTERVAL_MS, COMPACT_WINDOW_REVISIONS } from "./compactor.js";
export { StoreInUseError } from "./instance-guard.js";
export { openSqliteDriver, SqliteDriver } from "./sqlite-driver.js";
export type { LogDriver, LogRow, LogEvent, WriteOp, WriteOutcome } from "./log-driver.js";

export interface OpenStoreOptions {
  /** The server's data dir; the database is `<dataDir>/server/db/state.db`. */
  dataDir: string;
  logger?: Logger;
  /** Override compaction timing (tests). */
  compaction?: Omit<CompactorOptions, "logger">;
}

/** Where the SQLite database lives inside a data dir. */
export function storeDir(dataDir: string): string {
  return join(dataDir, "server", "db");
}

/**
 * Opens the server's `Store` (a RevisionLog; also has `maintain()` and `onClose()`), creating `<dataDir>/server/db` (mode 0700) on first start. Rejects with
 * `StoreInUseError` when another kube-lite server uses the same data dir.
 *
 * @example
 *   const store = await openStore({ dataDir: "/var/lib/kube-lite" });
 *   ...
 *   await store.close();
 */
export async function openStore(opts: OpenStoreOptions): Promise<RevisionLog> {
  const logger = opts.logger ?? componentLogger("storage");
  const driver = await openSqliteDriver({ dir: storeDir(opts.dataDir), logger });
  const store = new RevisionLog(driver, { logger });
  const compactor = new Compactor(store, { ...opts.compaction, logger });
  compactor.start();
  store.onClose(() => compactor.stop());
  logger.debug({ path: driver.path, revision: driver.currentRevision(), compactRevision: driver.compactRevision() }, "opened store");
  return store;
}
