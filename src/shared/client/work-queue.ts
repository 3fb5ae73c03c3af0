/**
 * A rate-limited work queue like client-go's: a key is queued at most once, is never processed by two
 * workers at once (a key re-added while processing runs again afterwards), and failed keys come back
 * with per-key exponential back-off.
 */

/** First retry delay after a failure (client-go: 5 ms). */
export const BASE_RETRY_DELAY_MS = 5;
/** Longest retry delay (client-go caps at 1000 s; controllers here are small, a minute is enough). */
export const MAX_RETRY_DELAY_MS = 60_000;

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: (() => void)[] = [];
  private shuttingDown = false;

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    const w = this.waiters.shift();
    w?.();
  }

  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(key);
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.add(key);
    }, delayMs);
    t.unref();
    this.timers.add(t);
  }

  /** Re-adds a key after its back-off; the delay doubles with each failure until `forget`. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.addAfter(key, Math.min(BASE_RETRY_DELAY_MS * 2 ** n, MAX_RETRY_DELAY_MS));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key, or undefined once shut down. Call `done(key)` after processing. */
  async get(): Promise<string | undefined> {
    while (this.queue.length === 0) {
      if (this.shuttingDown) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    const key = this.queue.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.waiters.shift()?.();
    }
  }

  get length(): number {
    return this.queue.length;
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters.splice(0)) w();
  }
}
