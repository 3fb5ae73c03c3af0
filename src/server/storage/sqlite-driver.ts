/**
 * The SQLite `LogDriver`, over node-sqlite3-wasm (SQLite compiled to WebAssembly: no native addon,
 * so one bundle runs on x64 and arm64). See /work/shared/notes/packaging-and-sqlite.md §2 for the
 * failure modes this file is shaped around:
 *  - WAL journal, which needs `locking_mode=EXCLUSIVE` first (rollback journals are not crash-safe
 *    with this VFS);
 *  - one process, one connection: a single-instance guard, and removal of a stale `.lock`
 *    directory only while holding it;
 *  - a fixed set of prepared statements, only ever run to completion (`all`/`run`), finalized on
 *    close: an unfinished statement holds a read transaction that blocks WAL checkpoints.
 *
 * Fsync policy: `synchronous=FULL` in WAL mode fsyncs the WAL at every COMMIT, so a write is
 * durable when `append` resolves; an acknowledged write survives a process kill or power loss.
 * The directory is fsynced once at open, after the WAL file exists. Checkpoints fsync the database.
 * Group commit (in RevisionLog) is what keeps this affordable: one fsync per batch, not per write.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import sqlite from "node-sqlite3-wasm";
import type { Database, Statement } from "node-sqlite3-wasm";
import type { Logger } from "../../shared/log.js";
import { acquireInstanceGuard, type InstanceGuard } from "./instance-guard.js";
import type {
  DriverAfterResult,
  DriverListOptions,
  DriverListResult,
  DriverStats,
  LogDriver,
  LogEvent,
  LogRow,
  WriteOp,
  WriteOutcome,
} from "./log-driver.js";

/** File name of the database inside the driver's directory. */
export const DB_FILE_NAME = "state.db";

/**
 * Rows deleted per compaction transaction. Compaction runs on the JS thread; chunks keep each
 * transaction short (a few ms) so API writes interleave with a large compaction.
 */
const COMPACT_CHUNK_REVISIONS = 2000;

/** Largest WAL file kept after a checkpoint (4 MiB is about SQLite's 1000-page auto-checkpoint size). */
const WAL_SIZE_LIMIT_BYTES = 4 * 1024 * 1024;

/** Schema version stored in `meta`; bump with a migration when the table layout changes. */
const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS kv (
  revision INTEGER PRIMARY KEY,
  key TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS kv_key_revision ON kv (key, revision);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

/**
 * Newest row of each key under [lo, hi) with key > after, at or before a revision: the state at that
 * revision. Used by count, where the covering index answers the grouping without reading values.
 */
const NEWEST_PER_KEY = `SELECT MAX(revision) AS r FROM kv WHERE key >= ? AND key < ? AND key > ? AND revision <= ? GROUP BY key`;

const SQL = {
  latest: `SELECT * FROM kv WHERE key = ? AND revision <= ? ORDER BY revision DESC LIMIT 1`,
  insert: `INSERT INTO kv (revision, key, created, deleted, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  // Walks the (key, revision) index in key order and stops at the limit: a page costs O(page), not
  // O(keys under the prefix) as a GROUP BY join followed by a sort would (10x slower at 20k keys).
  list: `SELECT * FROM kv WHERE key >= ? AND key < ? AND key > ? AND deleted = 0
           AND revision = (SELECT MAX(n.revision) FROM kv n WHERE n.key = kv.key AND n.revision <= ?) ORDER BY key LIMIT ?`,
  count: `SELECT COUNT(*) AS n FROM kv JOIN (${NEWEST_PER_KEY}) m ON kv.revision = m.r WHERE kv.deleted = 0`,
  // `+k.key` keeps SQLite on the primary key: scan forward from the revision and stop at the limit.
  after: `SELECT k.*, p.revision AS p_revision, p.key AS p_key, p.created AS p_created, p.deleted AS p_deleted,
            p.create_revision AS p_create_revision, p.prev_revision AS p_prev_revision, p.value AS p_value
          FROM kv k LEFT JOIN kv p ON k.created = 0 AND p.revision = k.prev_revision
          WHERE k.revision > ? AND +k.key >= ? AND +k.key < ? ORDER BY k.revision LIMIT ?`,
  // For every key written in the chunk (lo, hi]: drop all its rows up to the compact revision except
  // its newest one there, and that one too when it is a tombstone. Rows kept by an earlier compaction
  // are older than the chunk, so they go as soon as a newer row of their key exists; a dropped
  // tombstone never leaves an older value behind to come back.
  compactChunk: `DELETE FROM kv WHERE key IN (SELECT DISTINCT c.key FROM kv c WHERE c.revision > ? AND c.revision <= ?)
                   AND revision <= ?3
                   AND (deleted = 1 OR revision < (SELECT MAX(n.revision) FROM kv n WHERE n.key = kv.key AND n.revision <= ?3))`,
  setMeta: `INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value`,
} as const;

type SqlName = keyof typeof SQL;
type SqlRow = Record<string, unknown>;

/**
 * Upper bound (exclusive) for keys starting with `prefix`: SQLite compares TEXT bytewise (UTF-8),
 * so bumping the last UTF-16 unit works for every character below the surrogate range; otherwise
 * append U+10FFFF, the largest code point (keys continuing with it would be missed; ours are ASCII).
 */
export function prefixEnd(prefix: string): string {
  const last = prefix.length ? prefix.charCodeAt(prefix.length - 1) : -1;
  if (last >= 0 && last < 0xd7ff) return prefix.slice(0, -1) + String.fromCharCode(last + 1);
  return prefix + "\u{10FFFF}";
}

function toRow(r: SqlRow, p = ""): LogRow {
  return {
    revision: Number(r[p + "revision"]),
    key: String(r[p + "key"]),
    created: Number(r[p + "created"]) !== 0,
    deleted: Number(r[p + "deleted"]) !== 0,
    createRevision: Number(r[p + "create_revision"]),
    prevRevision: Number(r[p + "prev_revision"]),
    value: String(r[p + "value"]),
  };
}

export interface SqliteDriverOptions {
  /** Directory holding `state.db` (created with mode 0700 if missing). */
  dir: string;
  logger?: Logger;
}

/**
 * Opens (creating if needed) `<dir>/state.db`. Fails with `StoreInUseError` ("another kube-lite
 * server is using <path>") while another process or store holds it.
 *
 * @example
 *   const driver = await openSqliteDriver({ dir: "/var/lib/kube-lite/server/db" });
 *   const log = new RevisionLog(driver);
 */
export async function openSqliteDriver(opts: SqliteDriverOptions): Promise<SqliteDriver> {
  const dir = resolve(opts.dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, DB_FILE_NAME);
  const guard = await acquireInstanceGuard(path);
  try {
    removeStaleLocks(path, opts.logger);
    return new SqliteDriver(path, guard, opts.logger);
  } catch (err) {
    await guard.release();
    throw err;
  }
}

/** fsync a directory so entries created in it survive a power loss. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Removes `.lock` directories left by a killed process. Only call while holding the instance guard:
 * then no live process can own them.
 */
function removeStaleLocks(path: string, logger?: Logger): void {
  for (const lock of [`${path}.lock`, `${path}-wal.lock`, `${path}-journal.lock`]) {
    if (existsSync(lock)) {
      rmSync(lock, { recursive: true, force: true });
      logger?.warn({ lock }, "removed stale SQLite lock directory left by a previous process");
    }
  }
}

export class SqliteDriver implements LogDriver {
  readonly name = "sqlite";
  private readonly db: Database;
  private readonly stmts = new Map<SqlName, Statement>();
  private current = 0;
  private compacted = 0;
  private transactions = 0;
  private writes = 0;
  private closed = false;

  /** Use `openSqliteDriver`: it takes the single-instance guard first. */
  constructor(
    readonly path: string,
    private readonly guard: InstanceGuard,
    private readonly logger?: Logger,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new sqlite.Database(path);
    try {
      this.configure();
      this.db.exec(SCHEMA);
      this.loadMeta();
      // The VFS never fsyncs the directory; the WAL file (created by the reads above) and a new
      // database file must have durable directory entries before the first acknowledged write.
      syncDirectory(dirname(path));
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private configure(): void {
    // Order matters: EXCLUSIVE before WAL (otherwise WAL silently stays "delete"), and
    // auto_vacuum before the first table exists (it is fixed at creation).
    this.pragma("locking_mode=EXCLUSIVE");
    this.pragma("auto_vacuum=INCREMENTAL");
    const mode = this.pragma("journal_mode=WAL")[0]?.journal_mode;
    if (mode !== "wal") throw new Error(`SQLite refused WAL journal mode (got ${String(mode)}) for ${this.path}`);
    // FULL: fsync the WAL on every commit (see the fsync policy in the file comment).
    this.pragma("synchronous=FULL");
    // SQLite reuses the WAL file after a checkpoint without shrinking it; after a burst of writes
    // this cap truncates it back, so its size stays bounded between the compactor's TRUNCATE runs.
    this.pragma(`journal_size_limit=${WAL_SIZE_LIMIT_BYTES}`);
  }

  private pragma(p: string): SqlRow[] {
    return this.db.all(`PRAGMA ${p}`) as SqlRow[];
  }

  private loadMeta(): void {
    const meta = new Map<string, number>();
    for (const r of this.db.all("SELECT name, value FROM meta") as SqlRow[]) meta.set(String(r.name), Number(r.value));
    const version = meta.get("schema_version");
    if (version === undefined) this.stmt("setMeta").run(["schema_version", SCHEMA_VERSION]);
    else if (version > SCHEMA_VERSION) throw new Error(`${this.path} has schema version ${version}; this kube-lite understands up to ${SCHEMA_VERSION}`);
    this.compacted = meta.get("compact_revision") ?? 0;
    const max = Number((this.db.all("SELECT MAX(revision) AS r FROM kv") as SqlRow[])[0]?.r ?? 0);
    // Compaction may delete the newest row (a tombstone); the compact revision then keeps the floor,
    // so revisions are never reused.
    this.current = Math.max(max, this.compacted);
  }

  private stmt(name: SqlName): Statement {
    this.assertOpen();
    let s = this.stmts.get(name);
    if (!s) {
      s = this.db.prepare(SQL[name]);
      this.stmts.set(name, s);
    }
    return s;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`SQLite store ${this.path} is closed`);
  }

  currentRevision(): number {
    return this.current;
  }

  compactRevision(): number {
    return this.compacted;
  }

  private latest(key: string, revision: number): LogRow | undefined {
    const r = this.stmt("latest").all([key, revision]) as SqlRow[];
    return r.length ? toRow(r[0]!) : undefined;
  }

  async append(ops: readonly WriteOp[]): Promise<WriteOutcome[]> {
    this.assertOpen();
    const startRevision = this.current;
    const outcomes: WriteOutcome[] = [];
    let appended = 0;
    this.db.exec("BEGIN");
    try {
      const insert = this.stmt("insert");
      for (const op of ops) {
        const outcome = this.decide(op);
        if (outcome.ok) {
          const r = outcome.event.row;
          insert.run([r.revision, r.key, r.created ? 1 : 0, r.deleted ? 1 : 0, r.createRevision, r.prevRevision, r.value]);
          appended++;
        }
        outcomes.push(outcome);
      }
      this.db.exec("COMMIT");
    } catch (err) {
      this.current = startRevision;
      if (this.db.inTransaction) {
        try {
          this.db.exec("ROLLBACK");
        } catch (rollbackErr) {
          this.logger?.error({ err: rollbackErr }, "rollback failed");
        }
      }
      throw err;
    }
    this.transactions++;
    this.writes += appended;
    return outcomes;
  }

  /** Checks one op against the state including earlier ops of this transaction; assigns the next revision on success. */
  private decide(op: WriteOp): WriteOutcome {
    const cur = this.latest(op.key, Number.MAX_SAFE_INTEGER);
    const live = cur && !cur.deleted ? cur : undefined;
    const next = (row: Omit<LogRow, "revision">, prev?: LogRow): WriteOutcome => {
      const revision = ++this.current;
      const full: LogRow = { revision, ...row, createRevision: row.created ? revision : row.createRevision };
      return { ok: true, event: prev ? { row: full, prev } : { row: full } };
    };
    switch (op.op) {
      case "create":
        if (live) return { ok: false, reason: "exists", current: live };
        return next({ key: op.key, created: true, deleted: false, createRevision: 0, prevRevision: cur?.revision ?? 0, value: op.value });
      case "update":
        if (!live) return { ok: false, reason: "not-found" };
        if (live.revision !== op.expectedModRevision) return { ok: false, reason: "conflict", current: live };
        return next({ key: op.key, created: false, deleted: false, createRevision: live.createRevision, prevRevision: live.revision, value: op.value }, live);
      case "delete":
        if (!live) return { ok: false, reason: "not-found" };
        if (op.expectedModRevision !== undefined && live.revision !== op.expectedModRevision) return { ok: false, reason: "conflict", current: live };
        return next({ key: op.key, created: false, deleted: true, createRevision: live.createRevision, prevRevision: live.revision, value: live.value }, live);
    }
  }

  async get(key: string, revision: number): Promise<LogRow | undefined> {
    return this.latest(key, revision);
  }

  async list(prefix: string, opts: DriverListOptions): Promise<DriverListResult> {
    const hi = prefixEnd(prefix);
    const limit = opts.limit > 0 ? opts.limit : -1;
    const rows = (this.stmt("list").all([prefix, hi, opts.after, opts.revision, limit]) as SqlRow[]).map((r) => toRow(r));
    let remaining = 0;
    if (opts.limit > 0 && rows.length === opts.limit) {
      const last = rows[rows.length - 1]!.key;
      remaining = Number((this.stmt("count").all([prefix, hi, last, opts.revision]) as SqlRow[])[0]?.n ?? 0);
    }
    return { rows, remaining };
  }

  async count(prefix: string, revision: number): Promise<number> {
    return Number((this.stmt("count").all([prefix, prefixEnd(prefix), "", revision]) as SqlRow[])[0]?.n ?? 0);
  }

  async after(prefix: string, revision: number, limit: number): Promise<DriverAfterResult> {
    const rows = this.stmt("after").all([revision, prefix, prefixEnd(prefix), limit > 0 ? limit : -1]) as SqlRow[];
    const events = rows.map((r): LogEvent => (r.p_revision === null || r.p_revision === undefined ? { row: toRow(r) } : { row: toRow(r), prev: toRow(r, "p_") }));
    return { events, currentRevision: this.current };
  }

  async compact(revision: number): Promise<number> {
    this.assertOpen();
    if (revision <= this.compacted) return 0;
    if (revision > this.current) throw new Error(`cannot compact to ${revision}: current revision is ${this.current}`);
    const from = this.compacted;
    // Record the new compact revision before deleting anything: from this point reads and watches
    // older than it are refused, so nobody can observe a half-compacted history.
    this.stmt("setMeta").run(["compact_revision", revision]);
    this.compacted = revision;
    let removed = 0;
    for (let lo = from; lo < revision; lo += COMPACT_CHUNK_REVISIONS) {
      const hi = Math.min(lo + COMPACT_CHUNK_REVISIONS, revision);
      this.assertOpen();
      removed += this.stmt("compactChunk").run([lo, hi, revision]).changes;
      // Let API requests run between chunks.
      if (hi < revision) await new Promise((r) => setImmediate(r));
    }
    return removed;
  }

  async maintain(): Promise<void> {
    this.assertOpen();
    // Move free pages to the end of the file and truncate (auto_vacuum=INCREMENTAL); a full VACUUM
    // would need memory the size of the database (no temp files in this VFS).
    this.pragma("incremental_vacuum");
    // Copy the WAL into the database and truncate it to zero bytes.
    const [cp] = this.pragma("wal_checkpoint(TRUNCATE)");
    if (cp && Number(cp.busy) !== 0) this.logger?.warn({ checkpoint: cp }, "WAL checkpoint could not complete");
  }

  async stats(): Promise<DriverStats> {
    const rows = Number((this.db.all("SELECT COUNT(*) AS n FROM kv") as SqlRow[])[0]?.n ?? 0);
    const size = (p: string): number => {
      try {
        return statSync(p).size;
      } catch {
        return 0;
      }
    };
    return {
      currentRevision: this.current,
      compactRevision: this.compacted,
      rows,
      dbBytes: size(this.path),
      walBytes: size(`${this.path}-wal`),
      transactions: this.transactions,
      writes: this.writes,
    };
  }

  /** Runs `PRAGMA integrity_check`; "ok" when the file is sound. */
  integrityCheck(): string {
    return this.pragma("integrity_check")
      .map((r) => String(r.integrity_check))
      .join("; ");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const s of this.stmts.values()) s.finalize();
    this.stmts.clear();
    this.closed = true;
    try {
      // Leave a small file behind: fold the WAL in before closing.
      this.db.all("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (err) {
      this.logger?.warn({ err }, "final WAL checkpoint failed");
    }
    this.db.close();
    await this.guard.release();
  }
}
