/**
 * Gives memory back after a burst of work. V8 keeps the heap pages a burst needed until pressure
 * forces a collection, and Node does not tell V8 when it is idle; on a 1 GB board that slack (10–15 MB
 * after creating a thousand objects) is worth a full collection once things are quiet. The collection
 * runs only after activity followed by a quiet period, never on a busy process. Activity is what the
 * caller reports (`noteActivity()`, e.g. per API request) or, for processes without a request loop
 * (the agent), CPU time used since the last look (`watchCpu`).
 *
 * @example const trimmer = new IdleMemoryTrimmer(); server.on("request", () => trimmer.noteActivity());
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Quiet time after the last request before memory is trimmed. */
export const IDLE_TRIM_DELAY_MS = 10_000;
/** How often the trimmer looks. */
const CHECK_INTERVAL_MS = 5_000;
/** With `watchCpu`: more CPU than this between two looks counts as activity. */
const ACTIVE_CPU_MS_PER_CHECK = 50;

/** V8's full collection, exposed at run time (the flag affects contexts created after it is set). */
function exposedGc(): (() => void) | undefined {
  setFlagsFromString("--expose-gc");
  return runInNewContext("typeof gc === 'function' ? gc : undefined") as (() => void) | undefined;
}

export interface IdleMemoryTrimmerOptions {
  now?: () => number;
  gc?: () => void;
  /** Start the periodic check (tests drive `tick()` themselves). */
  start?: boolean;
  /** Count CPU use between looks as activity (processes that do not call noteActivity). */
  watchCpu?: boolean;
  /** CPU time used so far in ms (tests); default process.cpuUsage(). */
  cpuMs?: () => number;
}

export class IdleMemoryTrimmer {
  private lastActivity = 0;
  private dirty = false;
  private readonly timer?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly gc: (() => void) | undefined;
  private readonly cpuMs?: () => number;
  private lastCpuMs = 0;

  constructor(opts: IdleMemoryTrimmerOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.gc = opts.gc ?? exposedGc();
    if (opts.watchCpu) {
      this.cpuMs = opts.cpuMs ?? (() => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      });
      this.lastCpuMs = this.cpuMs();
    }
    if (opts.start ?? true) {
      this.timer = setInterval(() => this.tick(), CHECK_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Called for every request. */
  noteActivity(): void {
    this.lastActivity = this.now();
    this.dirty = true;
  }

  /** Collects once if there was activity and it has been quiet long enough; returns whether it did. */
  tick(): boolean {
    if (this.cpuMs) {
      const cpu = this.cpuMs();
      if (cpu - this.lastCpuMs > ACTIVE_CPU_MS_PER_CHECK) this.noteActivity();
      this.lastCpuMs = cpu;
    }
    if (!this.dirty || this.now() - this.lastActivity < IDLE_TRIM_DELAY_MS) return false;
    this.dirty = false;
    this.gc?.();
    return true;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
