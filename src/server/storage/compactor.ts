/**
 * Periodic compaction, like kine's compactor: keep the last `window` revisions of history (enough
 * for watchers and paginated lists in flight), drop the rest, then give the space back to the file
 * system. Without it the log, and the file, grow with every write forever.
 */
import { componentLogger, type Logger } from "../../shared/log.js";

/** How often to compact. kine uses 5 minutes: history older than that is rarely asked for. */
export const COMPACT_INTERVAL_MS = 5 * 60 * 1000;
/** Revisions of history kept behind the current one (kine's default window). */
export const COMPACT_WINDOW_REVISIONS = 1000;

/** What the compactor needs from a store (RevisionLog provides all of it). */
export interface Compactable {
  currentRevision(): number;
  compactRevision(): number;
  compact(revision: number): Promise<void>;
  /** Checkpoint and reclaim freed pages. */
  maintain(): Promise<void>;
}

export interface CompactorOptions {
  intervalMs?: number;
  windowRevisions?: number;
  logger?: Logger;
}

export interface CompactionResult {
  /** The compact revision after the run. */
  compactRevision: number;
  /** True when history was dropped in this run. */
  compacted: boolean;
}

/**
 * @example
 *   const compactor = new Compactor(store);
 *   compactor.start();           // every 5 minutes
 *   await compactor.runOnce();   // or now
 *   compactor.stop();
 */
export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<CompactionResult> | undefined;
  private readonly intervalMs: number;
  private readonly window: number;
  private readonly log: Logger;

  constructor(
    private readonly store: Compactable,
    opts: CompactorOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? COMPACT_INTERVAL_MS;
    this.window = opts.windowRevisions ?? COMPACT_WINDOW_REVISIONS;
    this.log = opts.logger ?? componentLogger("storage");
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.log.error({ err }, "compaction failed"));
    }, this.intervalMs);
    // Compaction alone must not keep the process alive.
    this.timer.unref();
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.running) await this.running.catch(() => undefined);
  }

  /** Compacts to `currentRevision - window` (if that is ahead of the compact revision), then maintains the file. Runs are serialized. */
  runOnce(): Promise<CompactionResult> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async run(): Promise<CompactionResult> {
    const target = this.store.currentRevision() - this.window;
    const before = this.store.compactRevision();
    const compacted = target > before;
    const started = Date.now();
    if (compacted) await this.store.compact(target);
    await this.store.maintain();
    const compactRevision = this.store.compactRevision();
    if (compacted) this.log.info({ compactRevision, previous: before, ms: Date.now() - started }, "compacted storage history");
    return { compactRevision, compacted };
  }
}
