/**
 * The narrow interface between `RevisionLog` (etcd semantics, watch fan-out, group commit) and a
 * datastore. Modelled on kine's `Log`: a driver stores an append-only log of rows, one per revision,
 * and answers a handful of range queries over it. SQLite is the driver today (`sqlite-driver.ts`);
 * etcd or PostgreSQL later are one more file implementing this interface.
 *
 * A driver must:
 *  - assign revisions: consecutive, strictly increasing, never reused (not even after compaction or
 *    a restart);
 *  - apply a batch of conditional writes (`append`) in ONE durable transaction, deciding each
 *    condition against the state that includes the earlier writes of the same batch; a failed
 *    condition fails only that write;
 *  - acknowledge (resolve `append`) only after the transaction is durable.
 */

/** One row of the log: the state of `key` as written at `revision`. */
export interface LogRow {
  revision: number;
  key: string;
  /** This row created the key (first write, or first write after a delete). */
  created: boolean;
  /** This row is a tombstone; `value` holds the key's last value. */
  deleted: boolean;
  /** Revision of the row that created the key (the key's createRevision). */
  createRevision: number;
  /** Revision of the key's previous row (0 when there is none). */
  prevRevision: number;
  value: string;
}

/** A row together with the row it replaced (for update and delete events). */
export interface LogEvent {
  row: LogRow;
  /** The key's previous live row: set for updates and deletes, never for creates. */
  prev?: LogRow;
}

/** A conditional write, decided inside the driver's transaction. */
export type WriteOp =
  | { op: "create"; key: string; value: string }
  | { op: "update"; key: string; value: string; expectedModRevision: number }
  | { op: "delete"; key: string; expectedModRevision?: number };

/** The outcome of one `WriteOp`: the appended event, or why the condition failed. */
export type WriteOutcome =
  | { ok: true; event: LogEvent }
  | { ok: false; reason: "exists"; current: LogRow }
  | { ok: false; reason: "not-found" }
  | { ok: false; reason: "conflict"; current: LogRow };

export interface DriverListOptions {
  /** Read the newest row of each key at or before this revision. */
  revision: number;
  /** Only keys strictly greater than this ("" for no bound). */
  after: string;
  /** At most this many rows (0: all). */
  limit: number;
}

export interface DriverListResult {
  /** Live rows (tombstones omitted), in key order. */
  rows: LogRow[];
  /** Live keys matching after the last returned row (0 when the page is complete). */
  remaining: number;
}

export interface DriverAfterResult {
  /** Events with revision > the requested one, in revision order. */
  events: LogEvent[];
  /** The driver's current revision when the page was read (the scan covered everything up to it unless the page is full). */
  currentRevision: number;
}

export interface DriverStats {
  currentRevision: number;
  compactRevision: number;
  rows: number;
  dbBytes: number;
  walBytes: number;
  /** Write transactions committed since open (group commit makes this smaller than `writes`). */
  transactions: number;
  /** Successful conditional writes since open. */
  writes: number;
}

export interface LogDriver {
  /** Short name for logs, e.g. "sqlite". */
  readonly name: string;
  /** Newest revision written (0 for an empty log). */
  currentRevision(): number;
  /** History at or before this revision is gone (0: nothing compacted). */
  compactRevision(): number;
  /** Apply `ops` in order in one transaction; resolves after it is durable. Rejects (and applies nothing) on a storage failure. */
  append(ops: readonly WriteOp[]): Promise<WriteOutcome[]>;
  /** The newest row of `key` at or before `revision`, tombstones included. */
  get(key: string, revision: number): Promise<LogRow | undefined>;
  /** Live keys under `prefix` as of `opts.revision`. */
  list(prefix: string, opts: DriverListOptions): Promise<DriverListResult>;
  /** Number of live keys under `prefix` as of `revision`. */
  count(prefix: string, revision: number): Promise<number>;
  /** Rows under `prefix` with revision > `revision`, oldest first, at most `limit`. */
  after(prefix: string, revision: number, limit: number): Promise<DriverAfterResult>;
  /**
   * Drop history at or before `revision`: every row superseded by a newer row at or before it, and
   * every tombstone at or before it. The newest row of each live key survives. Resolves with the
   * number of rows removed.
   */
  compact(revision: number): Promise<number>;
  /** Give freed space back to the file system (checkpoint, reclaim pages). */
  maintain(): Promise<void>;
  stats(): Promise<DriverStats>;
  /** Release the datastore. Further calls fail. */
  close(): Promise<void>;
}
