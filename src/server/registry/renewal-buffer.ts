/**
 * Keeps heartbeat renewals in memory. A node renews its Lease every 10 s; writing each renewal to
 * SQLite would append a row and fsync every few seconds per node, which wears out SD cards. A
 * renewal (an update that changes nothing but `spec.renewTime`) is held here instead: reads see it,
 * the object's resourceVersion does not move, and the newest renewal of each lease is written for
 * real at a low rate and on shutdown. Any other write drops the held renewal.
 *
 * The trade (documented in the README): a watch on Leases does not see renewals, and after a crash
 * a stored renewTime may be up to `RENEWAL_PERSIST_INTERVAL_MS` old.
 *
 * @example
 *   const held = buffer.hold(key, "2026-11-27T10:00:00.000000Z");
 *   const obj = buffer.overlay(key, decoded);   // renewTime as last renewed
 */
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../shared/api/types.js";

/** How often a held renewal is written to storage (the kubelet's status report period upstream). */
export const RENEWAL_PERSIST_INTERVAL_MS = 5 * 60 * 1000;

interface LeaseSpec {
  renewTime?: string;
  [field: string]: unknown;
}

function withoutRenewTime(obj: KubeObject): unknown {
  const { renewTime: _r, ...spec } = (obj.spec ?? {}) as LeaseSpec;
  const { resourceVersion: _v, managedFields: _m, ...meta } = obj.metadata;
  return { ...obj, metadata: meta, spec };
}

/** Whether `next` differs from `live` only in `spec.renewTime` (a pure heartbeat). */
export function isRenewalOnly(next: KubeObject, live: KubeObject): boolean {
  const a = (next.spec as LeaseSpec | undefined)?.renewTime;
  const b = (live.spec as LeaseSpec | undefined)?.renewTime;
  return a !== undefined && a !== b && isDeepStrictEqual(withoutRenewTime(next), withoutRenewTime(live));
}

interface Held {
  renewTime: string;
  /** When the lease's renewals started being held (persist deadline counts from here). */
  since: number;
}

export class RenewalBuffer {
  private readonly held = new Map<string, Held>();

  constructor(private readonly now: () => number = Date.now) {}

  hold(key: string, renewTime: string): void {
    const prev = this.held.get(key);
    this.held.set(key, { renewTime, since: prev?.since ?? this.now() });
  }

  /** `obj` with its held renewTime, if any (a new object; `obj` is not changed). */
  overlay(key: string, obj: KubeObject): KubeObject {
    const h = this.held.get(key);
    if (!h) return obj;
    return { ...obj, spec: { ...((obj.spec ?? {}) as object), renewTime: h.renewTime } };
  }

  /** Forget the held renewal of a key (a real write or a delete supersedes it). */
  drop(key: string): void {
    this.held.delete(key);
  }

  /** Keys whose renewals have been held for `intervalMs` or more (all keys with `all`). */
  due(intervalMs = RENEWAL_PERSIST_INTERVAL_MS, all = false): string[] {
    const t = this.now();
    return [...this.held].filter(([, h]) => all || t - h.since >= intervalMs).map(([k]) => k);
  }

  get size(): number {
    return this.held.size;
  }
}
