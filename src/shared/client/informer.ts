/**
 * A shared informer: lists a resource, then watches from the list's resourceVersion, keeping a local
 * cache and telling handlers about adds, updates and deletes. When a watch ends (timeout, 410 Gone,
 * server restart) it re-lists and re-watches with back-off, as client-go's reflector does.
 */
import type { KubeObject } from "../api/types.js";
import type { Logger } from "../log.js";
import { objectCacheKey, type ApiClient, type ClientListOptions, type ResourceRef } from "./types.js";

/** Re-list back-off bounds after a failed list or watch. */
const RELIST_MIN_DELAY_MS = 200;
const RELIST_MAX_DELAY_MS = 30_000;

export interface InformerHandlers {
  onAdd?(obj: KubeObject): void;
  onUpdate?(oldObj: KubeObject, newObj: KubeObject): void;
  onDelete?(obj: KubeObject): void;
}

export class Informer {
  private readonly cache = new Map<string, KubeObject>();
  private readonly handlers: InformerHandlers[] = [];
  private watch?: { close(): void };
  private stopped = false;
  private synced = false;
  private failures = 0;
  private retryTimer?: NodeJS.Timeout;
  private syncWaiters: (() => void)[] = [];

  constructor(
    private readonly client: ApiClient,
    readonly ref: ResourceRef,
    private readonly log: Logger,
    private readonly namespace?: string,
    /** Label/field selectors: the cache holds only matching objects. */
    private readonly selectors: Pick<ClientListOptions, "labelSelector" | "fieldSelector"> = {},
  ) {}

  addHandlers(h: InformerHandlers): void {
    this.handlers.push(h);
    if (this.synced) for (const obj of this.cache.values()) h.onAdd?.(obj);
  }

  get(key: string): KubeObject | undefined {
    return this.cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.cache.values()];
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((resolve) => this.syncWaiters.push(resolve));
  }

  start(): void {
    void this.run();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watch?.close();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      const list = await this.client.list(this.ref, this.namespace, this.selectors);
      const seen = new Set<string>();
      for (const obj of list.items) {
        const key = objectCacheKey(obj);
        seen.add(key);
        this.upsert(key, obj);
      }
      for (const [key, obj] of [...this.cache]) {
        if (!seen.has(key)) {
          this.cache.delete(key);
          for (const h of this.handlers) h.onDelete?.(obj);
        }
      }
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.failures = 0;
      let lastRv = list.metadata.resourceVersion;
      this.watch = await this.client.watch(
        this.ref,
        this.namespace,
        { ...this.selectors, resourceVersion: lastRv },
        (ev) => {
          if (ev.type === "ERROR") return;
          if (ev.object.metadata?.resourceVersion) lastRv = ev.object.metadata.resourceVersion;
          if (ev.type === "BOOKMARK") return;
          const key = objectCacheKey(ev.object);
          if (ev.type === "DELETED") {
            const old = this.cache.get(key);
            this.cache.delete(key);
            for (const h of this.handlers) h.onDelete?.(old ?? ev.object);
          } else {
            this.upsert(key, ev.object);
          }
          this.failures = 0;
        },
        (err) => this.retry(err),
      );
    } catch (err) {
      this.retry(err as Error);
    }
  }

  private upsert(key: string, obj: KubeObject): void {
    const old = this.cache.get(key);
    this.cache.set(key, obj);
    if (!old) for (const h of this.handlers) h.onAdd?.(obj);
    else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) for (const h of this.handlers) h.onUpdate?.(old, obj);
  }

  private retry(err?: Error): void {
    if (this.stopped) return;
    this.watch = undefined;
    const delay = Math.min(RELIST_MIN_DELAY_MS * 2 ** this.failures, RELIST_MAX_DELAY_MS);
    this.failures++;
    if (err) this.log.debug({ resource: this.ref.plural, err: err.message, delay }, "informer re-listing");
    this.retryTimer = setTimeout(() => void this.run(), delay);
    this.retryTimer.unref();
  }
}
