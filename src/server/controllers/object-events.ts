/**
 * A controller's event recorder for `kubectl describe` (upstream `record.EventRecorder`): core/v1 Events
 * about any object, named `<object>.<hex nanoseconds>`, with `source.component` the controller. The
 * same reason and message about the same object again bumps `count` and `lastTimestamp` on the
 * earlier Event instead of adding one, as upstream's correlator does. Best effort: failures are logged.
 */
import type { KubeObject } from "../../shared/api/types.js";
import { rfc3339 } from "../../shared/api/time.js";
import type { Logger } from "../../shared/log.js";
import type { ApiClient } from "../../shared/client/types.js";

const EVENTS = { group: "", plural: "events" };
/** Events remembered for aggregation; older ones are forgotten (a repeat then creates a new Event). */
const MAX_REMEMBERED_EVENTS = 1024;

export class ObjectEventRecorder {
  private readonly recent = new Map<string, { event: KubeObject; count: number }>();

  /** @example new ObjectEventRecorder(client, "deployment-controller", log) */
  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    private readonly log: Logger,
  ) {}

  /**
   * Records an event about `obj` (which carries apiVersion/kind, or pass them).
   *
   * @example void recorder.record(deploy, "Normal", "ScalingReplicaSet", "Scaled up replica set web-7c5ddbdf54 from 0 to 3");
   */
  async record(obj: KubeObject, type: "Normal" | "Warning", reason: string, message: string, typeMeta: { apiVersion?: string; kind?: string } = {}): Promise<void> {
    const ns = obj.metadata.namespace ?? "default";
    const key = `${obj.metadata.uid}\0${type}\0${reason}\0${message}`;
    try {
      const seen = this.recent.get(key);
      if (seen) {
        try {
          const updated = await this.client.update(EVENTS, ns, { ...seen.event, count: seen.count + 1, lastTimestamp: rfc3339() } as KubeObject);
          this.remember(key, { event: updated, count: seen.count + 1 });
          return;
        } catch {
          this.recent.delete(key); // gone or changed elsewhere: start a new one
        }
      }
      const now = rfc3339();
      const nanos = BigInt(Date.now()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000));
      const event: KubeObject = {
        apiVersion: "v1",
        kind: "Event",
        metadata: { name: `${obj.metadata.name}.${nanos.toString(16)}`, namespace: ns },
        involvedObject: {
          apiVersion: typeMeta.apiVersion ?? obj.apiVersion,
          kind: typeMeta.kind ?? obj.kind,
          namespace: ns,
          name: obj.metadata.name,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: "",
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      this.remember(key, { event: await this.client.create(EVENTS, ns, event), count: 1 });
    } catch (err) {
      this.log.debug({ err: (err as Error).message, object: `${ns}/${obj.metadata.name}`, reason }, "could not record event");
    }
  }

  private remember(key: string, entry: { event: KubeObject; count: number }): void {
    this.recent.delete(key);
    this.recent.set(key, entry);
    if (this.recent.size > MAX_REMEMBERED_EVENTS) this.recent.delete(this.recent.keys().next().value!);
  }
}
