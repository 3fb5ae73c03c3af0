/**
 * The node heartbeat: a `coordination.k8s.io/v1` Lease `kube-node-lease/<node>` whose renewTime the
 * kubelet moves forward every 10 s (upstream component-helpers `lease.controller`). The node
 * lifecycle controller reads it to tell a live node from a dead one, so the (large) Node status need
 * not be written to prove liveness.
 */
import { ApiError } from "../../../shared/api/status.js";
import { rfc3339Micro } from "../../../shared/api/time.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { ApiClient, ResourceRef } from "../../../shared/client/types.js";
import type { Logger } from "../../../shared/log.js";

export const LEASES: ResourceRef = { group: "coordination.k8s.io", version: "v1", plural: "leases" };
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** How long a lease holds without renewal (upstream `nodeLeaseDurationSeconds`); the lifecycle controller's grace period matches it. */
export const NODE_LEASE_DURATION_SECONDS = 40;
/** Renew at a quarter of the duration (upstream `nodeLeaseRenewIntervalFraction` 0.25): three renewals may fail before the lease lapses. */
export const NODE_LEASE_RENEW_FRACTION = 0.25;
/** Quick retries of one renewal before waiting for the next interval (upstream `maxUpdateRetries`). */
const MAX_UPDATE_RETRIES = 5;
/** Back-off while the Lease cannot even be read or created (upstream: 200 ms doubling to 7 s). */
const ENSURE_MIN_DELAY_MS = 200;
const ENSURE_MAX_DELAY_MS = 7_000;
const FIELD_MANAGER = "kubelet";

/**
 * The wall clock in microseconds since the epoch (millisecond resolution, which a lease renewed every
 * 10 s does not miss). Date.now() follows the clock when NTP steps it, as it does on boards without a
 * real-time clock; `performance.timeOrigin + performance.now()` would not, and would also load
 * Node's perf_hooks (about 0.3 MB) into the agent for this one reading.
 */
export function nowMicros(): number {
  return Date.now() * 1000;
}

export interface NodeLeaseOptions {
  log: Logger;
  durationSeconds?: number;
  /** Defaults to durationSeconds × 0.25. */
  renewIntervalMs?: number;
  /** Microseconds since the epoch; a parameter for tests. */
  nowMicros?: () => number;
  /** Called after renewals keep failing (the kubelet re-dials the API server then). */
  onRepeatedFailure?: (err: Error) => void;
}

interface LeaseObject extends KubeObject {
  spec: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string; acquireTime?: string; leaseTransitions?: number };
}

function isReason(err: unknown, reason: string): boolean {
  return err instanceof ApiError && err.reason === reason;
}

/**
 * @example
 * const lease = new NodeLease(client, "pi1", { log });
 * lease.start();   // creates or takes over kube-node-lease/pi1, renews every 10 s
 * lease.stop();
 */
export class NodeLease {
  private latest?: LeaseObject;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private syncing = false;
  /** Ends an ensure back-off wait early (stop()). */
  private wake?: () => void;
  private readonly duration: number;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly opts: NodeLeaseOptions,
  ) {
    this.duration = opts.durationSeconds ?? NODE_LEASE_DURATION_SECONDS;
    this.interval = opts.renewIntervalMs ?? this.duration * 1000 * NODE_LEASE_RENEW_FRACTION;
    this.now = opts.nowMicros ?? nowMicros;
  }

  /** Renews now, then every interval until stop(). */
  start(): void {
    this.stopped = false;
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.wake?.();
  }

  /** The Lease as last written. */
  current(): KubeObject | undefined {
    return this.latest;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.sync();
    } catch (err) {
      this.opts.log.warn({ node: this.nodeName, err: (err as Error).message }, "node lease renewal failed");
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.loop(), this.interval);
    this.timer.unref?.();
  }

  /**
   * One heartbeat: update the Lease we last wrote; if that fails (someone else wrote it, or it is
   * gone) read or create it afresh and update that.
   *
   * @example await lease.sync(); lease.current()?.spec // { holderIdentity: "pi1", leaseDurationSeconds: 40, renewTime: "…Z" }
   */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      if (this.latest && (await this.retryUpdate(this.latest))) return;
      const { lease, created } = await this.ensureLease();
      if (created) return; // a fresh Lease already carries the current renewTime
      if (!(await this.retryUpdate(lease))) throw new Error("lease renewal lost to concurrent writers");
    } finally {
      this.syncing = false;
    }
  }

  /** Gets the Lease, creating it when missing; backs off while the API is unreachable. */
  private async ensureLease(): Promise<{ lease: LeaseObject; created: boolean }> {
    let delay = ENSURE_MIN_DELAY_MS;
    for (;;) {
      try {
        const lease = (await this.client.get(LEASES, NODE_LEASE_NAMESPACE, this.nodeName)) as LeaseObject;
        return { lease, created: false };
      } catch (err) {
        if (isReason(err, "NotFound")) {
          try {
            const created = (await this.client.create(LEASES, NODE_LEASE_NAMESPACE, await this.desired(undefined), FIELD_MANAGER)) as LeaseObject;
            this.latest = created;
            return { lease: created, created: true };
          } catch (createErr) {
            if (!isReason(createErr, "AlreadyExists")) this.opts.log.warn({ node: this.nodeName, err: (createErr as Error).message }, "creating the node lease failed");
          }
        } else {
          this.opts.log.warn({ node: this.nodeName, err: (err as Error).message, retryInMs: delay }, "reading the node lease failed");
        }
      }
      if (this.stopped) throw new Error("node lease stopped");
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
      if (this.stopped) throw new Error("node lease stopped");
      delay = Math.min(delay * 2, ENSURE_MAX_DELAY_MS);
    }
  }

  /** Up to MAX_UPDATE_RETRIES writes; false on a Conflict or NotFound, which need a fresh read. */
  private async retryUpdate(base: LeaseObject): Promise<boolean> {
    let lastErr: unknown;
    for (let i = 0; i < MAX_UPDATE_RETRIES; i++) {
      try {
        this.latest = (await this.client.update(LEASES, NODE_LEASE_NAMESPACE, await this.desired(base), "", FIELD_MANAGER)) as LeaseObject;
        return true;
      } catch (err) {
        if (isReason(err, "Conflict") || isReason(err, "NotFound")) {
          this.latest = undefined;
          return false;
        }
        lastErr = err;
        if (i > 0) this.opts.onRepeatedFailure?.(err as Error);
      }
    }
    throw lastErr;
  }

  /** The Lease to write: ours, renewed now, owned by our Node so it goes when the Node goes. */
  private async desired(base: LeaseObject | undefined): Promise<LeaseObject> {
    const lease: LeaseObject = base
      ? { ...base, metadata: { ...base.metadata }, spec: { ...base.spec } }
      : { apiVersion: "coordination.k8s.io/v1", kind: "Lease", metadata: { name: this.nodeName, namespace: NODE_LEASE_NAMESPACE }, spec: {} };
    lease.spec.holderIdentity = this.nodeName;
    lease.spec.leaseDurationSeconds = this.duration;
    lease.spec.renewTime = rfc3339Micro(this.now());
    if (!lease.metadata.ownerReferences?.length) {
      const owner = await this.nodeOwnerReference();
      if (owner) lease.metadata.ownerReferences = [owner];
    }
    return lease;
  }

  /** A reference to our Node, or undefined before it is registered (set on a later renewal). */
  private async nodeOwnerReference(): Promise<{ apiVersion: string; kind: string; name: string; uid: string } | undefined> {
    try {
      const node = await this.client.get({ group: "", version: "v1", plural: "nodes" }, "", this.nodeName);
      return node.metadata.uid ? { apiVersion: "v1", kind: "Node", name: this.nodeName, uid: node.metadata.uid } : undefined;
    } catch (err) {
      if (!isReason(err, "NotFound")) this.opts.log.debug({ node: this.nodeName, err: (err as Error).message }, "cannot read the node for the lease owner");
      return undefined;
    }
  }
}
