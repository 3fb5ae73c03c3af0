/**
 * Per-key exponential back-off as upstream's `flowcontrol.Backoff`, which the kubelet uses for
 * CrashLoopBackOff and ImagePullBackOff: the first failure restarts at once, each further failure
 * within the window doubles the wait from 10 s up to 5 min, and an entry whose last failure is more
 * than twice the maximum (10 min) old starts over.
 */

/** Upstream kubelet `backOffPeriod`: the first wait after a repeated failure. */
export const INITIAL_BACKOFF_MS = 10_000;
/** Upstream kubelet `MaxContainerBackOff`: the longest wait between restarts. */
export const MAX_BACKOFF_MS = 300_000;

interface Entry {
  backoffMs: number;
  /** When the failure that set `backoffMs` happened (e.g. the container's finishedAt). */
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = INITIAL_BACKOFF_MS,
    private readonly maxMs = MAX_BACKOFF_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** An entry older than twice the maximum is forgotten (upstream `hasExpired`). */
  private expired(eventTime: number, e: Entry): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }

  /**
   * Records a failure at `eventTime` and returns the new wait: the initial wait for a new or expired
   * key, otherwise twice the previous one, capped.
   *
   * @example backoff.next("uid/app", finishedAt.getTime()) // 10000, then 20000, 40000, …, 300000
   */
  next(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    const backoffMs = !e || this.expired(eventTime, e) ? this.initialMs : Math.min(e.backoffMs * 2, this.maxMs);
    this.entries.set(key, { backoffMs, lastUpdate: eventTime });
    return backoffMs;
  }

  /** The current wait of a key (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /**
   * Whether a failure at `eventTime` is still inside its key's back-off window (upstream
   * `IsInBackOffSince`): the key has a live entry and less than its wait has passed since `eventTime`.
   *
   * @example if (backoff.isInBackOffSince(key, finishedAt)) showCrashLoopBackOff(); else restart();
   */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.now();
    if (this.expired(now, e)) return false;
    return now - eventTime < e.backoffMs;
  }

  /** Milliseconds until a failure at `eventTime` leaves its back-off window (0 when it is out). */
  remaining(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, eventTime + e.backoffMs - this.now());
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod that is gone). */
  resetPrefix(prefix: string): void {
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Drops expired entries (upstream `GC`), so a long-lived kubelet does not accumulate keys. */
  gc(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (this.expired(now, e)) this.entries.delete(k);
  }
}

/**
 * A duration as Go's `time.Duration.String()` writes it, which upstream messages use
 * ("10s", "1m20s", "5m0s", "1.5s").
 *
 * @example goDuration(80_000) === "1m20s"
 */
export function goDuration(ms: number): string {
  if (ms === 0) return "0s";
  const neg = ms < 0;
  let rest = Math.abs(ms);
  if (rest < 1000) return `${neg ? "-" : ""}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Number((rest / 1000).toFixed(3)).toString();
  let out = neg ? "-" : "";
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${out}${s}s`;
}
