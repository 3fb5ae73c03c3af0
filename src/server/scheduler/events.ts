/**
 * Records core/v1 Events about pods for `kubectl describe` (Scheduled, FailedScheduling), as the
 * scheduler's event recorder does: named `<pod>.<hex nanoseconds>`, source `default-scheduler`.
 * A repeat of the same event for the same pod updates its count and last timestamp instead of adding
 * another object, as upstream's event correlator does ("(x3 over 2m)").
 */
import { hostname } from "node:os";
import type { Pod } from "kubernetes-types/core/v1.js";
import type { Logger } from "../../shared/log.js";
import type { KubeObject } from "../../shared/api/types.js";
import { rfc3339, rfc3339Micro } from "../../shared/api/time.js";
import type { ApiClient } from "../../shared/client/types.js";

export const SCHEDULER_NAME = "default-scheduler";
const EVENTS = { group: "", plural: "events" };
/** Events remembered for aggregation; older ones are forgotten (then a repeat creates a new Event). */
const MAX_REMEMBERED_EVENTS = 4096;

export class EventRecorder {
  private readonly recent = new Map<string, { event: KubeObject; count: number }>();
  private readonly instance = `${SCHEDULER_NAME}-${hostname()}`;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Logger,
  ) {}

  /**
   * Records an event about a pod; failures are logged, never thrown (events are best effort).
   *
   * @example await recorder.record(pod, "Normal", "Scheduled", "Binding", `Successfully assigned default/web to pi-1`);
   */
  async record(pod: Pod, type: "Normal" | "Warning", reason: string, action: string, message: string): Promise<void> {
    const ns = pod.metadata?.namespace ?? "default";
    const key = `${pod.metadata?.uid}\0${type}\0${reason}\0${message}`;
    try {
      const seen = this.recent.get(key);
      if (seen) {
        seen.count++;
        const updated = { ...seen.event, count: seen.count, lastTimestamp: rfc3339() } as KubeObject;
        try {
          seen.event = await this.client.update(EVENTS, ns, updated);
          this.touch(key, seen);
          return;
        } catch {
          this.recent.delete(key); // gone or changed elsewhere: start a new one
        }
      }
      const now = rfc3339();
      const event = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${pod.metadata?.name}.${(BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`, namespace: ns },
        involvedObject: { kind: "Pod", apiVersion: "v1", namespace: ns, name: pod.metadata?.name, uid: pod.metadata?.uid, resourceVersion: pod.metadata?.resourceVersion },
        reason,
        message,
        type,
        action,
        source: { component: SCHEDULER_NAME },
        reportingComponent: SCHEDULER_NAME,
        reportingInstance: this.instance,
        firstTimestamp: now,
        lastTimestamp: now,
        eventTime: rfc3339Micro(Date.now() * 1000),
        count: 1,
      } as unknown as KubeObject;
      const created = await this.client.create(EVENTS, ns, event);
      this.touch(key, { event: created, count: 1 });
    } catch (err) {
      this.log.debug({ err: (err as Error).message, pod: `${ns}/${pod.metadata?.name}`, reason }, "could not record event");
    }
  }

  private touch(key: string, entry: { event: KubeObject; count: number }): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    if (this.recent.size > MAX_REMEMBERED_EVENTS) this.recent.delete(this.recent.keys().next().value!);
  }
}
