/**
 * The scheduling queue (upstream's PriorityQueue): pending pods wait in `active` (highest priority
 * first, then oldest), pods that failed wait in `backoff` until their back-off expires, and pods no node
 * fits wait in `unschedulable` until a cluster change that could help them (or a periodic flush) moves
 * them back. Keys are "namespace/name"; the scheduler looks the pod up when it pops one.
 */

/** First retry delay after a failed attempt (upstream `podInitialBackoffDuration`). */
export const INITIAL_BACKOFF_MS = 1_000;
/** Longest retry delay (upstream `podMaxBackoffDuration`). */
export const MAX_BACKOFF_MS = 10_000;
/** Unschedulable pods are retried at least this often even without a cluster change (upstream: 5 min). */
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;
/** How often the unschedulable pods are checked against MAX_UNSCHEDULABLE_MS (upstream: 30 s). */
const UNSCHEDULABLE_FLUSH_INTERVAL_MS = 30_000;

export interface QueuedPod {
  key: string;
  priority: number;
  /** When the pod first entered the queue (ms), for FIFO order within a priority. */
  timestamp: number;
  /** Failed attempts so far; drives the back-off. */
  attempts: number;
  /** Plugins that rejected the pod in its last attempt. */
  unschedulablePlugins: Set<string>;
  /** When the pod entered `unschedulable` or `backoff`. */
  since: number;
}

/** Back-off after `attempts` failures: 1 s, 2 s, 4 s … capped at 10 s. */
export function backoffDuration(attempts: number): number {
  return Math.min(INITIAL_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

function before(a: QueuedPod, b: QueuedPod): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.timestamp < b.timestamp;
}

/** A binary heap ordered by `before`, with removal by key. */
class ActiveHeap {
  private readonly items: QueuedPod[] = [];
  private readonly index = new Map<string, number>();

  get size(): number {
    return this.items.length;
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  push(p: QueuedPod): void {
    this.items.push(p);
    this.index.set(p.key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  pop(): QueuedPod | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0]!;
    this.removeAt(0);
    return top;
  }

  remove(key: string): QueuedPod | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const p = this.items[i]!;
    this.removeAt(i);
    return p;
  }

  private removeAt(i: number): void {
    const last = this.items.pop()!;
    this.index.delete(this.items.length === i ? last.key : this.items[i]!.key);
    if (i < this.items.length) {
      this.items[i] = last;
      this.index.set(last.key, i);
      this.down(i);
      this.up(i);
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i]!;
    const b = this.items[j]!;
    this.items[i] = b;
    this.items[j] = a;
    this.index.set(b.key, i);
    this.index.set(a.key, j);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.items[i]!, this.items[parent]!)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.items.length && before(this.items[l]!, this.items[best]!)) best = l;
      if (r < this.items.length && before(this.items[r]!, this.items[best]!)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

export class SchedulingQueue {
  private readonly active = new ActiveHeap();
  private readonly backoff = new Map<string, { pod: QueuedPod; timer: NodeJS.Timeout }>();
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Pods popped and not yet requeued or done: an update meanwhile must not enqueue a second copy. */
  private readonly inFlight = new Map<string, QueuedPod>();
  private waiters: (() => void)[] = [];
  private closed = false;
  private readonly flushTimer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.flushTimer = setInterval(() => this.flushUnschedulable(), UNSCHEDULABLE_FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  /**
   * Adds a pending pod, or, for a pod already waiting as unschedulable or backing off, moves it back to
   * active (its spec changed, so it may fit now).
   *
   * @example queue.add("default/web-0", 0)
   */
  add(key: string, priority: number): void {
    if (this.closed || this.active.has(key)) return;
    if (this.inFlight.has(key)) return;
    const waiting = this.unschedulable.get(key) ?? this.backoff.get(key)?.pod;
    if (waiting) {
      this.take(key);
      waiting.priority = priority;
      this.pushActive(waiting);
      return;
    }
    this.pushActive({ key, priority, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set(), since: this.now() });
  }

  /** Waits for the next pod to schedule; undefined once closed. Call `done` (or a requeue) after. */
  async pop(): Promise<QueuedPod | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const p = this.active.pop();
      if (p) {
        this.inFlight.set(p.key, p);
        return p;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** The pod left the queue for good (bound, deleted, or no longer ours). */
  done(key: string): void {
    this.inFlight.delete(key);
  }

  /** After a failed attempt no node fits: wait for a helpful cluster change. */
  addUnschedulable(p: QueuedPod, plugins: Set<string>): void {
    this.inFlight.delete(p.key);
    if (this.closed) return;
    p.attempts++;
    p.unschedulablePlugins = plugins;
    p.since = this.now();
    this.unschedulable.set(p.key, p);
  }

  /** After an error (binding failed, API error): retry once the back-off passes. */
  addBackoff(p: QueuedPod): void {
    this.inFlight.delete(p.key);
    if (this.closed) return;
    p.attempts++;
    this.pushBackoff(p);
  }

  /** Forgets a pod wherever it waits (deleted, or bound by someone else). */
  delete(key: string): void {
    this.take(key);
    this.active.remove(key);
    this.inFlight.delete(key);
  }

  /**
   * A cluster change happened: unschedulable pods rejected by a plugin the change could satisfy go back
   * to active (or to back-off while theirs runs).
   *
   * @example queue.moveUnschedulable((plugins) => plugins.has("NodeResourcesFit"))
   */
  moveUnschedulable(helps: (plugins: Set<string>) => boolean): void {
    for (const p of [...this.unschedulable.values()]) {
      if (!helps(p.unschedulablePlugins)) continue;
      this.unschedulable.delete(p.key);
      this.requeue(p);
    }
  }

  get length(): { active: number; backoff: number; unschedulable: number } {
    return { active: this.active.size, backoff: this.backoff.size, unschedulable: this.unschedulable.size };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.flushTimer);
    for (const b of this.backoff.values()) clearTimeout(b.timer);
    this.backoff.clear();
    for (const w of this.waiters.splice(0)) w();
  }

  private requeue(p: QueuedPod): void {
    const remaining = p.since + backoffDuration(p.attempts) - this.now();
    if (remaining > 0) this.pushBackoff(p, remaining);
    else this.pushActive(p);
  }

  private take(key: string): void {
    this.unschedulable.delete(key);
    const b = this.backoff.get(key);
    if (b) {
      clearTimeout(b.timer);
      this.backoff.delete(key);
    }
  }

  private pushActive(p: QueuedPod): void {
    this.active.push(p);
    this.waiters.shift()?.();
  }

  private pushBackoff(p: QueuedPod, delay = backoffDuration(p.attempts)): void {
    p.since = this.now() - (backoffDuration(p.attempts) - delay);
    const timer = setTimeout(() => {
      this.backoff.delete(p.key);
      if (!this.closed) this.pushActive(p);
    }, delay);
    timer.unref();
    this.backoff.set(p.key, { pod: p, timer });
  }

  private flushUnschedulable(): void {
    const cutoff = this.now() - MAX_UNSCHEDULABLE_MS;
    this.moveUnschedulableWhere((p) => p.since <= cutoff);
  }

  private moveUnschedulableWhere(pred: (p: QueuedPod) => boolean): void {
    for (const p of [...this.unschedulable.values()]) {
      if (!pred(p)) continue;
      this.unschedulable.delete(p.key);
      this.requeue(p);
    }
  }
}
