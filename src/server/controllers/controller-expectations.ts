/**
 * Controller expectations (upstream `ControllerExpectations`, simplified): after a controller asks
 * for N creations and some deletions, it does not act on that controller key again until its informer
 * has seen them, so a cache that lags behind our own writes never causes double creates or deletes.
 * Deletions are tracked by pod UID, so a pod seen first with a deletionTimestamp and later gone is
 * counted once. Expectations expire, so a lost event can only delay a sync, never stop it.
 */

/** Upstream `ExpectationsTimeout`: after this, unmet expectations are ignored and the key syncs again. */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Expectation {
  creations: number;
  deletions: Set<string>;
  setAt: number;
}

export class ControllerExpectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Records what a sync is about to do; replaces any earlier record for the key.
   *
   * @example expectations.expect(rsKey, 3, []); // three creates on their way
   */
  expect(key: string, creations: number, deletionUids: string[]): void {
    this.byKey.set(key, { creations, deletions: new Set(deletionUids), setAt: this.now() });
  }

  /** The informer saw a pod created for `key` (or a create failed and will not be seen). */
  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.creations > 0) e.creations--;
  }

  /** The informer saw the pod with `uid` deleted or being deleted (or its delete failed). */
  deletionObserved(key: string, uid: string | undefined): void {
    if (uid) this.byKey.get(key)?.deletions.delete(uid);
  }

  /**
   * True when the key may sync: nothing pending, or the record expired.
   *
   * @example if (expectations.satisfied(key)) await manageReplicas(...)
   */
  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if (e.creations <= 0 && e.deletions.size === 0) return true;
    return this.now() - e.setAt > EXPECTATIONS_TTL_MS;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }
}
