/**
 * The kubelet's event recorder: core/v1 Events about pods (Pulling, Pulled, Created, Started,
 * Killing, BackOff, Unhealthy, FailedMount, …) with source component `kubelet` and the node as host,
 * named `<pod>.<hex nanoseconds>` as upstream. A repeat of the same event updates the count and last
 * timestamp instead of adding an object ("(x4 over 2m)"), as upstream's correlator does, and a pod
 * that produces too many events is throttled as upstream's spam filter does.
 */
import type { Pod } from "kubernetes-types/core/v1.js";
import { rfc3339 } from "../../../shared/api/time.js";
import type { KubeObject } from "../../../shared/api/types.js";
import type { ApiClient } from "../../../shared/client/types.js";
import type { Logger } from "../../../shared/log.js";

export const KUBELET_COMPONENT = "kubelet";
const EVENTS = { group: "", plural: "events" };
/** Events remembered for aggregation; older ones are forgotten (a repeat then creates a new Event). */
const MAX_REMEMBERED_EVENTS = 2048;

/**
 * Upstream's spam filter (client-go `EventSourceObjectSpamFilter`): per pod, a burst of 25 events, then
 * one per 5 minutes. A crash loop or a failing probe must not write to the datastore forever.
 */
export const EVENT_SPAM_BURST = 25;
export const EVENT_SPAM_REFILL_MS = 300_000;

export type EventType = "Normal" | "Warning";

/** Who and where: the `involvedObject.fieldPath` of a container is `spec.containers{name}` (or initContainers). */
export function containerFieldPath(pod: Pod, container: string): string {
  const init = pod.spec?.initContainers?.some((c) => c.name === container);
  return `spec.${init ? "initContainers" : "containers"}{${container}}`;
}

export class KubeletEventRecorder {
  private readonly recent = new Map<string, { event: KubeObject; count: number }>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /**
   * The write in progress per aggregation key. A repeat waits for it, so two records of one event in
   * quick succession (a worker's back-to-back syncs in a back-off window) become one Event with
   * count 2, not two Events each created before the other was remembered.
   */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(
    private readonly client: ApiClient,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /**
   * Records an event about a pod (or one of its containers); best effort: failures are logged.
   *
   * @example recorder.record(pod, "Normal", "Pulled", `Container image "busybox" already present on machine`, "app");
   */
  async record(pod: Pod, type: EventType, reason: string, message: string, container?: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? "default";
    const fieldPath = container ? containerFieldPath(pod, container) : undefined;
    const key = `${pod.metadata?.uid}\0${fieldPath ?? ""}\0${type}\0${reason}\0${message}`;
    if (!this.allow(pod.metadata?.uid ?? "")) {
      this.log.debug({ pod: `${ns}/${pod.metadata?.name}`, reason }, "event throttled");
      return;
    }
    const mine = (this.writing.get(key) ?? Promise.resolve()).then(() => this.write(pod, ns, key, type, reason, message, fieldPath));
    this.writing.set(key, mine);
    try {
      await mine;
    } finally {
      if (this.writing.get(key) === mine) this.writing.delete(key);
    }
  }

  /** Creates the Event, or bumps the count of the one remembered under `key`; never throws. */
  private async write(pod: Pod, ns: string, key: string, type: EventType, reason: string, message: string, fieldPath: string | undefined): Promise<void> {
    try {
      const seen = this.recent.get(key);
      if (seen) {
        const updated = { ...seen.event, count: seen.count + 1, lastTimestamp: rfc3339() } as KubeObject;
        try {
          seen.event = await this.client.update(EVENTS, ns, updated);
          seen.count++;
          this.remember(key, seen);
          return;
        } catch {
          this.recent.delete(key);
        }
      }
      const t = rfc3339();
      const name = `${pod.metadata?.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`;
      const event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: ns },
        involvedObject: {
          kind: "Pod", apiVersion: "v1", namespace: ns, name: pod.metadata?.name, uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        type,
        source: { component: KUBELET_COMPONENT, host: this.nodeName },
        reportingComponent: KUBELET_COMPONENT,
        reportingInstance: this.nodeName,
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
      } as unknown as KubeObject;
      const created = await this.client.create(EVENTS, ns, event);
      this.remember(key, { event: created, count: 1 });
    } catch (err) {
      this.log.debug({ err: (err as Error).message, pod: `${ns}/${pod.metadata?.name}`, reason }, "could not record event");
    }
  }

  /** Token bucket per pod: `EVENT_SPAM_BURST` tokens, one more every `EVENT_SPAM_REFILL_MS`. */
  allow(uid: string, now = Date.now()): boolean {
    const b = this.buckets.get(uid) ?? { tokens: EVENT_SPAM_BURST, at: now };
    b.tokens = Math.min(EVENT_SPAM_BURST, b.tokens + (now - b.at) / EVENT_SPAM_REFILL_MS);
    b.at = now;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.delete(uid);
    this.buckets.set(uid, b);
    if (this.buckets.size > MAX_REMEMBERED_EVENTS) this.buckets.delete(this.buckets.keys().next().value as string);
    return ok;
  }

  private remember(key: string, v: { event: KubeObject; count: number }): void {
    this.recent.delete(key);
    this.recent.set(key, v);
    if (this.recent.size > MAX_REMEMBERED_EVENTS) this.recent.delete(this.recent.keys().next().value as string);
  }
}
