/**
 * EventTTLController: deletes Events an hour after they last happened, as the upstream API server's
 * event TTL does (--event-ttl=1h), so the kubelet's and controllers' events cannot fill the SQLite
 * file. An event's age is taken from its newest timestamp (lastTimestamp, eventTime, series, or
 * creation).
 */
import { ApiError } from "../../shared/api/status.js";
import type { KubeObject } from "../../shared/api/types.js";
import type { Logger } from "../../shared/log.js";
import type { ApiClient, ResourceRef } from "../../shared/client/types.js";

/** Upstream's default --event-ttl. */
export const EVENT_TTL_MS = 60 * 60 * 1000;
/** How often expired events are looked for. */
export const EVENT_SWEEP_INTERVAL_MS = 60 * 1000;

const EVENTS: ResourceRef = { group: "", plural: "events" };
/** Events listed per page while sweeping (keeps each read small). */
const SWEEP_PAGE = 500;

/** When the event last happened, in ms since the epoch (NaN when it carries no time at all). */
export function lastSeen(event: KubeObject): number {
  const e = event as KubeObject & { lastTimestamp?: string; firstTimestamp?: string; eventTime?: string; series?: { lastObservedTime?: string } };
  const times = [e.lastTimestamp, e.series?.lastObservedTime, e.eventTime, e.firstTimestamp, e.metadata.creationTimestamp]
    .filter((t): t is string => typeof t === "string" && t.length > 0)
    .map((t) => Date.parse(t))
    .filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : Number.NaN;
}

export class EventTTLController {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = EVENT_TTL_MS,
  ) {}

  start(intervalMs = EVENT_SWEEP_INTERVAL_MS): void {
    this.timer = setInterval(() => void this.sweep().catch((err: unknown) => this.log.warn({ err: (err as Error).message }, "event sweep failed")), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Deletes every expired event; returns how many. */
  async sweep(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let deleted = 0;
    try {
      const cutoff = this.now() - this.ttlMs;
      let cont: string | undefined;
      do {
        const page = await this.client.list(EVENTS, undefined, { limit: SWEEP_PAGE, continue: cont });
        for (const ev of page.items) {
          if (!(lastSeen(ev) < cutoff)) continue;
          try {
            await this.client.delete(EVENTS, ev.metadata.namespace ?? "", ev.metadata.name ?? "", { preconditions: { uid: ev.metadata.uid } });
            deleted++;
          } catch (err) {
            if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) throw err;
          }
        }
        cont = page.metadata.continue || undefined;
      } while (cont);
      if (deleted) this.log.debug({ deleted }, "deleted expired events");
      return deleted;
    } finally {
      this.running = false;
    }
  }
}
