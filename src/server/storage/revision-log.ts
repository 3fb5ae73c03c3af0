/**
 * `RevisionLog`: etcd semantics over a `LogDriver`, like kine's logstructured layer.
 *  - create fails on a live key, update is a compare-and-swap on modRevision, delete appends a
 *    tombstone carrying the last value;
 *  - reads at any revision not yet compacted;
 *  - group commit: writes issued in the same event-loop turn share one durable transaction;
 *  - watch: history from the driver, then live events from an in-memory ring, no gaps, no dups.
 */
import { componentLogger, type Logger } from "../../shared/log.js";
import { EventRing } from "./event-ring.js";
import type { LogDriver, WriteOp, WriteOutcome } from "./log-driver.js";
import {
  CompactedError,
  FutureRevisionError,
  KeyExistsError,
  KeyNotFoundError,
  RevisionConflictError,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type Store,
  type StoreEvent,
  type StoreStats,
  type Watcher,
  type WatchOptions,
} from "./types.js";
import { toStoreEvent, WatchStream, type WatchStreamHost } from "./watch-stream.js";

/**
 * Most writes in one transaction. Each write is a lookup plus an insert on the JS thread; 500 keeps
 * one commit to a few milliseconds while still amortising the fsync over hundreds of writes.
 */
const MAX_BATCH_WRITES = 500;
/** Most value bytes in one transaction, so a burst of large objects does not make one huge commit. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Events kept in memory for watch fan-out and short catch-ups (upstream's watch cache is of this order). */
const RING_MAX_EVENTS = 10_000;
/** Memory cap for the same ring: a Raspberry Pi has little RAM to spare. */
const RING_MAX_BYTES = 32 * 1024 * 1024;
/** A live watcher with more undelivered events than this is ended (the client relists, as upstream). */
const WATCHER_MAX_QUEUED_EVENTS = 10_000;

export interface RevisionLogOptions {
  logger?: Logger;
  ringMaxEvents?: number;
  ringMaxBytes?: number;
  watcherMaxQueuedEvents?: number;
  maxBatchWrites?: number;
}

interface PendingWrite {
  op: WriteOp;
  resolve(kv: KeyValue): void;
  reject(err: Error): void;
}

function kvOf(e: StoreEvent): KeyValue {
  return e.kv;
}

/**
 * The `Store` used by the API layer.
 *
 * @example
 *   const store = new RevisionLog(await openSqliteDriver({ dir }), { logger });
 *   const kv = await store.create("/core/configmaps/default/a", "{}");
 *   const w = await store.watch("/core/configmaps/", { fromRevision: kv.modRevision, onEvents: (evs) => send(evs) });
 */
export class RevisionLog implements Store {
  private readonly log: Logger;
  private readonly ring: EventRing;
  /** Watchers receiving live events. */
  private readonly watchers = new Set<WatchStream>();
  /** Every open watcher, live or still replaying history. */
  private readonly streams = new Set<WatchStream>();
  private readonly host: WatchStreamHost;
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly closeHooks: Array<() => void | Promise<void>> = [];
  private readonly maxBatch: number;

  constructor(
    private readonly driver: LogDriver,
    opts: RevisionLogOptions = {},
  ) {
    this.log = opts.logger ?? componentLogger("storage");
    this.maxBatch = opts.maxBatchWrites ?? MAX_BATCH_WRITES;
    this.ring = new EventRing(driver.currentRevision(), {
      maxEvents: opts.ringMaxEvents ?? RING_MAX_EVENTS,
      maxBytes: opts.ringMaxBytes ?? RING_MAX_BYTES,
    });
    this.host = {
      driver,
      ring: this.ring,
      attach: (s) => this.watchers.add(s),
      detach: (s) => {
        this.watchers.delete(s);
        this.streams.delete(s);
      },
      maxQueuedEvents: opts.watcherMaxQueuedEvents ?? WATCHER_MAX_QUEUED_EVENTS,
      log: this.log,
    };
  }

  currentRevision(): number {
    return this.driver.currentRevision();
  }

  compactRevision(): number {
    return this.driver.compactRevision();
  }

  /** Refuses revisions that are compacted away or not yet written; 0/undefined means "newest". */
  private readRevision(revision: number | undefined): number {
    const current = this.driver.currentRevision();
    if (!revision) return current;
    const compacted = this.driver.compactRevision();
    if (revision < compacted) throw new CompactedError(revision, compacted);
    if (revision > current) throw new FutureRevisionError(revision, current);
    return revision;
  }

  async get(key: string, revision?: number): Promise<KeyValue | undefined> {
    let result: KeyValue | undefined;
    let error: unknown;
    try {
      const rev = this.readRevision(revision);
      const row = await this.driver.get(key, rev);
      if (row && !row.deleted) result = { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision };
      return result;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      this.log.trace({ op: "get", storeKey: key, revision, found: !!result, modRevision: result?.modRevision, err: errName(error) }, "GET");
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    let result: ListResult | undefined;
    let error: unknown;
    try {
      const rev = this.readRevision(opts.revision);
      const page = await this.driver.list(prefix, { revision: rev, after: opts.after ?? "", limit: opts.limit ?? 0 });
      result = {
        items: page.rows.map((r) => ({ key: r.key, value: r.value, createRevision: r.createRevision, modRevision: r.revision })),
        revision: rev,
        remaining: page.remaining,
      };
      return result;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      this.log.trace(
        { op: "list", prefix, revision: opts.revision, limit: opts.limit, after: opts.after, items: result?.items.length, remaining: result?.remaining, readRevision: result?.revision, err: errName(error) },
        "LIST",
      );
    }
  }

  async count(prefix: string): Promise<number> {
    let n: number | undefined;
    let error: unknown;
    try {
      n = await this.driver.count(prefix, this.driver.currentRevision());
      return n;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      this.log.trace({ op: "count", prefix, count: n, err: errName(error) }, "COUNT");
    }
  }

  create(key: string, value: string): Promise<KeyValue> {
    return this.traced({ op: "create", key, value }, "CREATE");
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    return this.traced({ op: "update", key, value, expectedModRevision }, "UPDATE");
  }

  delete(key: string, expectedModRevision?: number): Promise<KeyValue> {
    const op: WriteOp = expectedModRevision === undefined ? { op: "delete", key } : { op: "delete", key, expectedModRevision };
    return this.traced(op, "DELETE");
  }

  private async traced(op: WriteOp, msg: string): Promise<KeyValue> {
    let kv: KeyValue | undefined;
    let error: unknown;
    try {
      kv = await this.enqueue(op);
      return kv;
    } catch (err) {
      error = err;
      throw err;
    } finally {
      const expected = op.op === "create" ? undefined : op.expectedModRevision;
      const conflict = error instanceof RevisionConflictError ? error.current.modRevision : undefined;
      this.log.trace({ op: op.op, storeKey: op.key, expectedModRevision: expected, modRevision: kv?.modRevision, currentModRevision: conflict, err: errName(error) }, msg);
    }
  }

  /** Queues a write for the next group commit; resolves after the transaction holding it is durable. */
  private enqueue(op: WriteOp): Promise<KeyValue> {
    if (this.closed) return Promise.reject(new Error("store is closed"));
    return new Promise<KeyValue>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing || !this.pending.length) return;
    this.flushScheduled = true;
    // setImmediate, not a microtask: every write issued while handling this turn's I/O joins the batch.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        this.scheduleFlush();
      });
    });
  }

  /** Commits one batch; only one batch is in flight at a time, so revisions follow queue order. */
  private async flush(): Promise<void> {
    let take = 0;
    let bytes = 0;
    while (take < this.pending.length && take < this.maxBatch && (take === 0 || bytes < MAX_BATCH_BYTES)) {
      const op = this.pending[take]!.op;
      bytes += op.op === "delete" ? 0 : op.value.length;
      take++;
    }
    const batch = this.pending.splice(0, take);
    if (!batch.length) return;
    let outcomes: WriteOutcome[];
    try {
      outcomes = await this.driver.append(batch.map((p) => p.op));
    } catch (err) {
      this.log.error({ err, writes: batch.length }, "write transaction failed");
      const e = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(e);
      return;
    }
    const events: StoreEvent[] = [];
    const results: Array<() => void> = [];
    outcomes.forEach((o, i) => {
      const p = batch[i]!;
      if (o.ok) {
        const ev = toStoreEvent(o.event);
        events.push(ev);
        results.push(() => p.resolve(kvOf(ev)));
      } else if (o.reason === "exists") {
        results.push(() => p.reject(new KeyExistsError(p.op.key)));
      } else if (o.reason === "not-found") {
        results.push(() => p.reject(new KeyNotFoundError(p.op.key)));
      } else {
        const c = o.current;
        results.push(() => p.reject(new RevisionConflictError(p.op.key, { key: c.key, value: c.value, createRevision: c.createRevision, modRevision: c.revision })));
      }
    });
    // Publish before acknowledging: a client that sees its write acknowledged and then watches
    // from that revision finds the event in the ring.
    if (events.length) this.publish(events);
    for (const r of results) r();
  }

  /** Adds committed events to the ring and offers them to live watchers (each queues and returns). */
  private publish(events: StoreEvent[]): void {
    this.ring.push(events);
    for (const w of [...this.watchers]) w.offer(events);
  }

  async watch(prefix: string, opts: WatchOptions): Promise<Watcher> {
    const compacted = this.driver.compactRevision();
    if (opts.fromRevision < compacted) {
      this.log.trace({ op: "watch", prefix, fromRevision: opts.fromRevision, compactRevision: compacted, err: "CompactedError" }, "WATCH");
      throw new CompactedError(opts.fromRevision, compacted);
    }
    if (this.closed) throw new Error("store is closed");
    const stream = new WatchStream(prefix, opts, this.host);
    const fromRing = this.ring.base <= opts.fromRevision;
    this.streams.add(stream);
    stream.start();
    this.log.trace({ op: "watch", prefix, fromRevision: opts.fromRevision, source: fromRing ? "memory" : "replay" }, "WATCH");
    return stream;
  }

  async compact(revision: number): Promise<void> {
    let removed: number | undefined;
    let error: unknown;
    try {
      const current = this.driver.currentRevision();
      if (revision > current) throw new FutureRevisionError(revision, current);
      if (revision <= this.driver.compactRevision()) return;
      removed = await this.driver.compact(revision);
    } catch (err) {
      error = err;
      throw err;
    } finally {
      this.log.trace({ op: "compact", revision, removed, err: errName(error) }, "COMPACT");
    }
  }

  /** Returns freed space to the file system (checkpoint and page reclaim); the Compactor calls it. */
  async maintain(): Promise<void> {
    await this.driver.maintain();
    this.log.trace({ op: "maintain" }, "MAINTAIN");
  }

  async stats(): Promise<StoreStats> {
    const s = await this.driver.stats();
    this.log.trace({ op: "stats", rows: s.rows, dbBytes: s.dbBytes, walBytes: s.walBytes }, "STATS");
    return { ...s, watchers: this.streams.size };
  }

  /** Runs `hook` at close, before the driver is released (e.g. stop a compactor). */
  onClose(hook: () => void | Promise<void>): void {
    this.closeHooks.push(hook);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Commit what was already accepted, then refuse further writes.
    while (this.flushing || this.pending.length || this.flushScheduled) {
      if (this.flushing) await this.flushing;
      else await new Promise((r) => setImmediate(r));
    }
    for (const hook of this.closeHooks) await hook();
    for (const w of [...this.streams]) w.fail(new Error("store is closing"));
    await this.driver.close();
    this.log.trace({ op: "close" }, "CLOSE");
  }
}

function errName(err: unknown): string | undefined {
  return err === undefined ? undefined : err instanceof Error ? err.name : String(err);
}
