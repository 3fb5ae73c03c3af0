/**
 * One watcher: replays history from the driver until it reaches the in-memory event ring, then
 * switches to live events without a gap or a duplicate, and delivers in batches off the writer's
 * call stack with a bounded queue.
 */
import type { Logger } from "../../shared/log.js";
import type { EventRing } from "./event-ring.js";
import type { LogDriver, LogEvent } from "./log-driver.js";
import { CompactedError, WatchOverflowError, type KeyValue, type StoreEvent, type Watcher, type WatchOptions } from "./types.js";

/** Events read from the driver per replay page: bounds memory and the time one read blocks the thread. */
const REPLAY_PAGE_EVENTS = 500;

export interface WatchStreamHost {
  driver: LogDriver;
  ring: EventRing;
  /** Registers the stream for live events (called once, synchronously after the ring catch-up). */
  attach(stream: WatchStream): void;
  detach(stream: WatchStream): void;
  /** Most events a live watcher may have queued before it is ended with WatchOverflowError. */
  maxQueuedEvents: number;
  log: Logger;
}

function kvOf(row: LogEvent["row"]): KeyValue {
  return { key: row.key, value: row.value, createRevision: row.createRevision, modRevision: row.revision };
}

/** Converts a driver event into the store's event shape. */
export function toStoreEvent(e: LogEvent): StoreEvent {
  const type = e.row.created ? "create" : e.row.deleted ? "delete" : "update";
  return e.prev && type !== "create" ? { type, kv: kvOf(e.row), prevKv: kvOf(e.prev) } : { type, kv: kvOf(e.row) };
}

function isThenable(v: unknown): v is PromiseLike<void> {
  return typeof v === "object" && v !== null && typeof (v as { then?: unknown }).then === "function";
}

export class WatchStream implements Watcher {
  private queue: StoreEvent[] = [];
  /** Highest revision handed to the queue or to onEvents: later duplicates are dropped. */
  private lastRevision: number;
  private delivering = false;
  private pumpScheduled = false;
  private closed = false;

  constructor(
    readonly prefix: string,
    private readonly opts: WatchOptions,
    private readonly host: WatchStreamHost,
  ) {
    this.lastRevision = opts.fromRevision;
  }

  /** Starts replay (if the ring does not reach back far enough) and then live delivery. */
  start(): void {
    if (this.host.ring.base <= this.lastRevision) {
      this.goLive();
      return;
    }
    this.replay().catch((err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))));
  }

  private async replay(): Promise<void> {
    const { driver, ring } = this.host;
    // Let watch() return before the first (synchronous, for SQLite) page read.
    await new Promise((r) => setImmediate(r));
    while (!this.closed) {
      if (ring.base <= this.lastRevision) {
        this.goLive();
        return;
      }
      // Compaction since the last page removed history this watcher still needs.
      const compacted = driver.compactRevision();
      if (this.lastRevision < compacted) throw new CompactedError(this.lastRevision, compacted);
      const page = await driver.after(this.prefix, this.lastRevision, REPLAY_PAGE_EVENTS);
      if (this.closed) return;
      const events = page.events.filter((e) => e.row.revision > this.lastRevision).map(toStoreEvent);
      const full = page.events.length >= REPLAY_PAGE_EVENTS;
      // A full page ends at its last row; a short one covered everything up to the driver's current revision.
      const covered = full ? page.events[page.events.length - 1]!.row.revision : Math.max(page.currentRevision, this.lastRevision);
      if (events.length) await this.deliver(events);
      this.lastRevision = Math.max(this.lastRevision, covered);
    }
  }

  /** Takes the ring's events after our position and joins the live fan-out, all in one synchronous step. */
  private goLive(): void {
    if (this.closed) return;
    this.host.attach(this);
    this.offer(this.host.ring.since(this.lastRevision));
  }

  /** Called by the host with every committed batch (all prefixes, revision order). Never blocks. */
  offer(events: readonly StoreEvent[]): void {
    if (this.closed) return;
    for (const e of events) {
      if (e.kv.modRevision <= this.lastRevision || !e.kv.key.startsWith(this.prefix)) continue;
      this.queue.push(e);
      this.lastRevision = e.kv.modRevision;
    }
    if (this.queue.length > this.host.maxQueuedEvents) {
      this.fail(new WatchOverflowError(this.queue.length));
      return;
    }
    if (this.queue.length && !this.pumpScheduled && !this.delivering) {
      this.pumpScheduled = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    this.pumpScheduled = false;
    if (this.closed || this.delivering || !this.queue.length) return;
    const batch = this.queue;
    this.queue = [];
    this.deliver(batch).then(
      () => {
        if (this.queue.length && !this.pumpScheduled) {
          this.pumpScheduled = true;
          setImmediate(() => this.pump());
        }
      },
      (err: unknown) => this.fail(err instanceof Error ? err : new Error(String(err))),
    );
  }

  /** Hands one batch to the consumer and waits for it if it returned a promise. */
  private async deliver(batch: StoreEvent[]): Promise<void> {
    this.delivering = true;
    try {
      const r = this.opts.onEvents(batch);
      if (isThenable(r)) await r;
    } finally {
      this.delivering = false;
    }
  }

  /** Ends the watch for a reason other than close(): the consumer hears about it once. */
  fail(err: Error): void {
    if (this.closed) return;
    this.host.log.debug({ prefix: this.prefix, err: err.message }, "watch ended");
    this.close();
    try {
      this.opts.onError?.(err);
    } catch (cbErr) {
      this.host.log.error({ err: cbErr }, "watch onError callback threw");
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.host.detach(this);
  }

  get isClosed(): boolean {
    return this.closed;
  }
}
