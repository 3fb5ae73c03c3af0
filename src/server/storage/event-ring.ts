/**
 * The in-memory tail of the revision log: the most recent events, for watch fan-out and for
 * watches that start a little in the past (the common case: a client relists and watches from the
 * list's revision) without touching SQLite.
 */
import type { StoreEvent } from "./types.js";

export interface EventRingLimits {
  /** Keep at most this many events. */
  maxEvents: number;
  /** Keep at most about this many bytes of keys and values. */
  maxBytes: number;
}

/** Rough memory cost of an event: its strings (UTF-16 in memory) plus object overhead. */
function eventBytes(e: StoreEvent): number {
  const OBJECT_OVERHEAD = 200;
  return 2 * (e.kv.key.length + e.kv.value.length + (e.prevKv ? e.prevKv.value.length : 0)) + OBJECT_OVERHEAD;
}

/**
 * Holds every event with revision in (base, newest]: `since(rev)` is complete for any rev >= base.
 *
 * @example
 *   const ring = new EventRing(store.currentRevision(), { maxEvents: 10_000, maxBytes: 32 << 20 });
 *   ring.push(events);
 *   if (from >= ring.base) deliver(ring.since(from));
 */
export class EventRing {
  private events: StoreEvent[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    private baseRevision: number,
    private readonly limits: EventRingLimits,
  ) {}

  /** Every event after this revision is in the ring. */
  get base(): number {
    return this.baseRevision;
  }

  get size(): number {
    return this.events.length - this.head;
  }

  /** Appends events (in increasing revision order) and evicts the oldest beyond the limits. */
  push(events: readonly StoreEvent[]): void {
    for (const e of events) {
      this.events.push(e);
      this.bytes += eventBytes(e);
    }
    while (this.size > 0 && (this.size > this.limits.maxEvents || this.bytes > this.limits.maxBytes)) {
      const old = this.events[this.head]!;
      this.bytes -= eventBytes(old);
      this.baseRevision = old.kv.modRevision;
      this.head++;
    }
    // Compact the backing array once the dead prefix dominates, so eviction stays O(1) amortised.
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }

  /** Events with revision > `revision`, oldest first. Complete only when `revision >= base`. */
  since(revision: number): StoreEvent[] {
    let lo = this.head;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.events[mid]!.kv.modRevision <= revision) lo = mid + 1;
      else hi = mid;
    }
    return this.events.slice(lo);
  }
}
