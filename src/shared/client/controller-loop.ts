/**
 * The worker skeleton every controller shares (sample-controller's runWorker → processNextWorkItem):
 * take a key, reconcile it, forget its back-off on success, requeue with back-off on error, and
 * requeue after a delay when reconcile asks to look again.
 */
import type { WorkQueue } from "./work-queue.js";

/** What a reconcile returns: nothing when done, or milliseconds after which to look at the key again. */
export type ReconcileResult = void | number | undefined;

/**
 * Runs until the queue shuts down.
 *
 * @example await processQueue(queue, (key) => this.reconcile(key), (key, err) => log.warn({ key, err }, "sync failed"));
 */
export async function processQueue(queue: WorkQueue, reconcile: (key: string) => Promise<ReconcileResult>, onError: (key: string, err: Error) => void): Promise<void> {
  for (;;) {
    const key = await queue.get();
    if (key === undefined) return;
    try {
      const again = await reconcile(key);
      queue.forget(key);
      if (typeof again === "number") queue.addAfter(key, again);
    } catch (err) {
      onError(key, err as Error);
      queue.addRateLimited(key);
    } finally {
      queue.done(key);
    }
  }
}
