/**
 * The storage contract the API layer builds on: an etcd-like key/value store with one global,
 * increasing revision (the Kubernetes resourceVersion). `RevisionLog` implements it over a `LogDriver`
 * (SQLite today; etcd or PostgreSQL later are one more driver).
 *
 * Keys are plain strings such as `/core/pods/default/web-1`; values are opaque strings (JSON of the
 * object without its resourceVersion: the store's modRevision is the resourceVersion).
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which this key was created (stays the same across updates). */
  createRevision: number;
  /** Revision of the last write to this key: the object's resourceVersion. */
  modRevision: number;
}

export type WatchEventType = "create" | "update" | "delete";

export interface StoreEvent {
  type: WatchEventType;
  /** For delete: the last value of the key, with modRevision = the revision of the delete. */
  kv: KeyValue;
  /** The value before this event (update and delete). */
  prevKv?: KeyValue;
}

export interface ListOptions {
  /** Read as of this revision (0 or undefined: the newest). Older than the compact revision: `CompactedError`. */
  revision?: number;
  /** At most this many items (0 or undefined: all). */
  limit?: number;
  /** Start strictly after this key (for continue tokens). */
  after?: string;
}

export interface ListResult {
  items: KeyValue[];
  /** The revision the list was read at. */
  revision: number;
  /** Number of matching keys after the returned page (0 when complete). */
  remaining: number;
}

export interface Watcher {
  /** Stop delivering events and release resources. Idempotent. */
  close(): void;
}

export interface WatchOptions {
  /** Deliver every event with revision > fromRevision first (history), then live events. */
  fromRevision: number;
  /**
   * Called in revision order, in batches, never inside the writer's call stack. May return a promise
   * to apply back-pressure: the next batch waits until it settles (events queue meanwhile; a watcher
   * whose queue outgrows the store's bound is ended with `WatchOverflowError`). A rejected promise
   * or a throw ends the watch through `onError`.
   */
  onEvents(events: StoreEvent[]): void | Promise<void>;
  /** Called once if the watch ends for a reason other than close() (e.g. the watcher fell too far behind). */
  onError?(err: Error): void;
}

/** Thrown when a create finds a live key. */
export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = "KeyExistsError";
  }
}

/** Thrown when get/update/delete finds no live key. */
export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = "KeyNotFoundError";
  }
}

/** Thrown when a compare-and-swap sees another modRevision; carries the current value. */
export class RevisionConflictError extends Error {
  constructor(readonly key: string, readonly current: KeyValue) {
    super(`revision conflict on ${key}: current ${current.modRevision}`);
    this.name = "RevisionConflictError";
  }
}

/** Thrown (HTTP 410 Expired upstream) when a read or watch asks for a compacted revision. */
export class CompactedError extends Error {
  constructor(readonly requested: number, readonly compactRevision: number) {
    super(`too old resource version: ${requested} (${compactRevision})`);
    this.name = "CompactedError";
  }
}

/** Thrown when a requested revision is newer than the store's current revision. */
export class FutureRevisionError extends Error {
  constructor(readonly requested: number, readonly current: number) {
    super(`Too large resource version: ${requested}, current: ${current}`);
    this.name = "FutureRevisionError";
  }
}

/**
 * Passed to `WatchOptions.onError` when a watcher fell too far behind the writers and was closed.
 * The API layer answers like upstream for an expired watch (410 Expired) and the client relists.
 */
export class WatchOverflowError extends Error {
  constructor(readonly queued: number) {
    super(`watcher fell too far behind (${queued} events queued); relist and watch again`);
    this.name = "WatchOverflowError";
  }
}

/**
 * The store the API layer uses. All writes are acknowledged only after they are durable.
 *
 * @example
 *   const kv = await store.create("/core/configmaps/default/a", JSON.stringify(obj));
 *   await store.update(kv.key, JSON.stringify(changed), kv.modRevision);
 */
export interface Store {
  currentRevision(): number;
  compactRevision(): number;
  get(key: string, revision?: number): Promise<KeyValue | undefined>;
  /** Keys starting with `prefix`, in key order. */
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  count(prefix: string): Promise<number>;
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap: fails with RevisionConflictError unless the key's modRevision is `expectedModRevision`. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes the key; with `expectedModRevision` it is a CAS. Returns the tombstone event's kv (last value, new modRevision). */
  delete(key: string, expectedModRevision?: number): Promise<KeyValue>;
  /** Throws CompactedError synchronously-or-via-rejection when fromRevision < compactRevision. */
  watch(prefix: string, opts: WatchOptions): Promise<Watcher>;
  /** Drop history older than `revision` (keeps the newest row of every live key). */
  compact(revision: number): Promise<void>;
  /** Storage statistics for benchmarks and /metrics. */
  stats(): Promise<StoreStats>;
  /** Flush, checkpoint and release the database. */
  close(): Promise<void>;
}

export interface StoreStats {
  currentRevision: number;
  compactRevision: number;
  rows: number;
  dbBytes: number;
  walBytes: number;
  /** Write transactions committed since open (group commit: fewer than `writes`). */
  transactions?: number;
  /** Successful writes since open. */
  writes?: number;
  /** Open watchers. */
  watchers?: number;
}
