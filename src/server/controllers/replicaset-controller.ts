/**
 * ReplicaSetController: keeps `spec.replicas` pods running for every ReplicaSet, as upstream's
 * `pkg/controller/replicaset` does, and (with the same code and a map selector) for every
 * ReplicationController.
 *
 * reconcile(key): claim the pods in the namespace (adopt matching orphans, release owned pods that
 * stopped matching), then, when the informer has caught up with our earlier writes (expectations),
 * create missing pods from the template in slow-start batches or delete the surplus in
 * deletion-rank order, and write `status` (replicas, fullyLabeledReplicas, readyReplicas,
 * availableReplicas, observedGeneration, the ReplicaFailure condition) only when it changed.
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { ReplicaSetCondition, ReplicaSetStatus } from "kubernetes-types/apps/v1.js";
import { ApiError } from "../../shared/api/status.js";
import { rfc3339 } from "../../shared/api/time.js";
import { deepCopy, type KubeObject } from "../../shared/api/types.js";
import { labelSelectorFromObject, labelSelectorFromSet, nothingLabelSelector, type LabelSelectorMatcher } from "../../shared/api/selectors.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import { objectCacheKey, type ApiClient, type ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue, type ReconcileResult } from "../../shared/client/controller-loop.js";
import { asPod, isPodActive, isPodAvailable, isPodReady, rankByNode, rankPodsForDeletion } from "./active-pods.js";
import { ControllerExpectations } from "./controller-expectations.js";
import { claimObjects, controllerRefOf, newControllerRef, ownerStillLive } from "./controller-ref.js";
import { ObjectEventRecorder } from "./object-events.js";

const PODS: ResourceRef = { group: "", plural: "pods" };

/** Upstream `BurstReplicas`: at most this many pod creates or deletes per sync, so one huge scale cannot starve other keys. */
export const BURST_REPLICAS = 500;
/** Upstream `SlowStartInitialBatchSize`: creates go 1, 2, 4, … at a time and stop at the first failing batch (quota, admission). */
const SLOW_START_INITIAL_BATCH = 1;
/** After a pod turns ready, look again just after minReadySeconds so availableReplicas catches up. */
const AVAILABILITY_RECHECK_SLACK_MS = 1000;

/** What differs between ReplicaSets and ReplicationControllers for this controller. */
export interface ReplicaOwnerKind {
  ref: ResourceRef;
  apiVersion: string;
  kind: string;
  /** Field manager and log name. */
  controllerName: string;
  selectorOf(obj: KubeObject): LabelSelectorMatcher;
}

interface ReplicaSpec {
  replicas?: number;
  minReadySeconds?: number;
  template?: PodTemplateSpec;
}

/** apps/v1 ReplicaSet: a `metav1.LabelSelector`. */
export const REPLICA_SET_KIND: ReplicaOwnerKind = {
  ref: { group: "apps", plural: "replicasets" },
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  controllerName: "replicaset-controller",
  selectorOf: (obj) => labelSelectorFromObject((obj.spec as { selector?: Parameters<typeof labelSelectorFromObject>[0] } | undefined)?.selector),
};

/** core/v1 ReplicationController: a plain label map (an empty one selects nothing, as upstream). */
export const REPLICATION_CONTROLLER_KIND: ReplicaOwnerKind = {
  ref: { group: "", plural: "replicationcontrollers" },
  apiVersion: "v1",
  kind: "ReplicationController",
  controllerName: "replication-controller",
  selectorOf: (obj) => {
    const sel = (obj.spec as { selector?: Record<string, string> } | undefined)?.selector;
    return sel && Object.keys(sel).length ? labelSelectorFromSet(sel) : nothingLabelSelector();
  },
};

function specOf(obj: KubeObject): ReplicaSpec {
  return (obj.spec ?? {}) as ReplicaSpec;
}

function statusOf(obj: KubeObject): ReplicaSetStatus {
  return (obj.status ?? {}) as ReplicaSetStatus;
}

/** True when every label of the template is on the pod (upstream's fullyLabeledReplicas test). */
function hasTemplateLabels(pod: KubeObject, template: PodTemplateSpec | undefined): boolean {
  const want = template?.metadata?.labels ?? {};
  return Object.entries(want).every(([k, v]) => pod.metadata.labels?.[k] === v);
}

/**
 * A new pod for `owner` from its template: generateName `<owner>-`, the template's labels,
 * annotations and finalizers, and a controller reference (upstream `GetPodFromTemplate`).
 *
 * @example await client.create(PODS, ns, podFromTemplate(rs, REPLICA_SET_KIND));
 */
export function podFromTemplate(owner: KubeObject, kind: ReplicaOwnerKind): KubeObject {
  const template = specOf(owner).template ?? {};
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      ownerReferences: [newControllerRef(owner, kind.apiVersion, kind.kind)],
    },
    spec: deepCopy(template.spec ?? {}),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** Runs `n` calls 1, 2, 4, … at a time; stops after the first batch with a failure (upstream `slowStartBatch`). */
async function slowStartBatch(n: number, fn: () => Promise<void>): Promise<{ attempted: number; error?: unknown }> {
  let done = 0;
  for (let batch = Math.min(n, SLOW_START_INITIAL_BATCH); batch > 0; batch = Math.min(2 * batch, n - done)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    done += batch;
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) return { attempted: done, error: failed.reason };
  }
  return { attempted: done };
}

function sameStatus(a: ReplicaSetStatus, b: ReplicaSetStatus): boolean {
  return (
    (a.replicas ?? 0) === (b.replicas ?? 0) &&
    (a.fullyLabeledReplicas ?? 0) === (b.fullyLabeledReplicas ?? 0) &&
    (a.readyReplicas ?? 0) === (b.readyReplicas ?? 0) &&
    (a.availableReplicas ?? 0) === (b.availableReplicas ?? 0) &&
    (a.observedGeneration ?? 0) === (b.observedGeneration ?? 0) &&
    JSON.stringify(a.conditions ?? []) === JSON.stringify(b.conditions ?? [])
  );
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

export class ReplicaSetController {
  private readonly queue = new WorkQueue();
  readonly expectations = new ControllerExpectations();
  private readonly events: ObjectEventRecorder;

  /**
   * @example
   *   const rsc = new ReplicaSetController(client, REPLICA_SET_KIND, replicaSets, pods, log);
   *   rsc.run(); … rsc.stop();
   */
  constructor(
    private readonly client: ApiClient,
    private readonly kind: ReplicaOwnerKind,
    private readonly owners: Informer,
    private readonly pods: Informer,
    private readonly log: Logger,
  ) {
    this.events = new ObjectEventRecorder(client, kind.controllerName, log);
    owners.addHandlers({
      onAdd: (o) => this.enqueue(o),
      onUpdate: (_old, o) => this.enqueue(o),
      onDelete: (o) => {
        this.expectations.forget(objectCacheKey(o));
        this.enqueue(o);
      },
    });
    pods.addHandlers({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (o, p) => this.podUpdated(o, p),
      onDelete: (p) => this.podDeleted(p),
    });
  }

  async run(): Promise<void> {
    await Promise.all([this.owners.waitForSync(), this.pods.waitForSync()]);
    await processQueue(this.queue, (key) => this.reconcile(key), (key, err) =>
      this.log.debug({ [this.kind.kind]: key, err: err.message }, "sync failed; retrying"),
    );
  }

  stop(): void {
    this.queue.shutDown();
  }

  private enqueue(obj: KubeObject, afterMs = 0): void {
    this.queue.addAfter(objectCacheKey(obj), afterMs);
  }

  /** The cached owner a controller reference points at (same name and UID, our kind), if any. */
  private ownerOf(pod: KubeObject): KubeObject | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const owner = this.owners.get(`${pod.metadata.namespace}/${ref.name}`);
    return owner && owner.metadata.uid === ref.uid ? owner : undefined;
  }

  /** Owners whose selector picks this orphan (they may adopt it). */
  private ownersSelecting(pod: KubeObject): KubeObject[] {
    return this.owners.list().filter((o) => {
      if (o.metadata.namespace !== pod.metadata.namespace) return false;
      try {
        return this.kind.selectorOf(o).matches(pod.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private podAdded(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.podDeleted(pod);
    if (controllerRefOf(pod)) {
      const owner = this.ownerOf(pod);
      if (!owner) return;
      this.expectations.creationObserved(objectCacheKey(owner));
      this.enqueue(owner);
      return;
    }
    for (const o of this.ownersSelecting(pod)) this.enqueue(o);
  }

  private podUpdated(old: KubeObject, pod: KubeObject): void {
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {});
    if (pod.metadata.deletionTimestamp) {
      this.podDeleted(pod);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(pod);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const oldOwner = this.ownerOf(old);
      if (oldOwner) this.enqueue(oldOwner);
    }
    if (ref) {
      const owner = this.ownerOf(pod);
      if (!owner) return;
      this.enqueue(owner);
      const minReady = specOf(owner).minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(asPod(old)) && isPodReady(asPod(pod))) this.enqueue(owner, minReady * 1000 + AVAILABILITY_RECHECK_SLACK_MS);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.ownersSelecting(pod)) this.enqueue(o);
  }

  private podDeleted(pod: KubeObject): void {
    const owner = this.ownerOf(pod);
    if (!owner) return;
    this.expectations.deletionObserved(objectCacheKey(owner), pod.metadata.uid);
    this.enqueue(owner);
  }

  /**
   * Brings one ReplicaSet (or ReplicationController) to its desired pod count and writes its status.
   *
   * @example await rsc.reconcile("default/web-7c5ddbdf54");
   */
  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.owners.get(key);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const owner = deepCopy(cached);
    const ns = owner.metadata.namespace ?? "";
    let selector: LabelSelectorMatcher;
    try {
      selector = this.kind.selectorOf(owner);
    } catch (err) {
      this.log.warn({ [this.kind.kind]: key, err: (err as Error).message }, "invalid selector; not syncing");
      return;
    }
    const needsSync = this.expectations.satisfied(key);
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === ns && isPodActive(asPod(p)));
    const pods = await claimObjects(candidates, {
      client: this.client,
      ref: PODS,
      owner,
      ownerApiVersion: this.kind.apiVersion,
      ownerKind: this.kind.kind,
      selector,
      canAdopt: ownerStillLive(this.client, this.kind.ref, owner),
      fieldManager: this.kind.controllerName,
    });

    let manageError: unknown;
    if (needsSync && !owner.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, pods);
      } catch (err) {
        manageError = err;
      }
    }
    const status = this.calculateStatus(owner, pods, manageError);
    await this.writeStatus(owner, status);
    if (manageError) throw manageError;
    const minReady = specOf(owner).minReadySeconds ?? 0;
    const replicas = specOf(owner).replicas ?? 1;
    if (minReady > 0 && status.readyReplicas === replicas && status.availableReplicas !== replicas) return minReady * 1000;
    return undefined;
  }

  private async manageReplicas(key: string, owner: KubeObject, pods: KubeObject[]): Promise<void> {
    const ns = owner.metadata.namespace ?? "";
    const diff = pods.length - (specOf(owner).replicas ?? 1);
    if (diff < 0) {
      const want = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expect(key, want, []);
      const { attempted, error } = await slowStartBatch(want, async () => {
        try {
          const pod = await this.client.create(PODS, ns, podFromTemplate(owner, this.kind), this.kind.controllerName);
          void this.events.record(owner, "Normal", "SuccessfulCreate", `Created pod: ${pod.metadata.name}`, this.typeMeta());
        } catch (err) {
          // Never seen by the informer: stop waiting for it.
          this.expectations.creationObserved(key);
          // The namespace is terminating: nothing to create, not a failure of ours.
          if (err instanceof ApiError && err.code === 403 && /terminat/i.test(err.message)) return;
          void this.events.record(owner, "Warning", "FailedCreate", `Error creating: ${(err as Error).message}`, this.typeMeta());
          throw err;
        }
      });
      if (error) {
        // Creations skipped after the failing batch will not be observed either (failures already counted).
        for (let i = attempted; i < want; i++) this.expectations.creationObserved(key);
        this.log.debug({ [this.kind.kind]: key, attempted, wanted: want }, "pod creation stopped early");
        throw error;
      }
      return;
    }
    if (diff > 0) {
      const surplus = Math.min(diff, BURST_REPLICAS);
      const victims = rankPodsForDeletion(pods.map(asPod), rankByNode(this.relatedPods(owner).map(asPod))).slice(0, surplus);
      this.expectations.expect(key, 0, victims.map((p) => p.metadata?.uid ?? ""));
      const results = await Promise.allSettled(
        victims.map(async (p) => {
          try {
            await this.client.delete(PODS, ns, p.metadata?.name ?? "", { preconditions: { uid: p.metadata?.uid } });
            void this.events.record(owner, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata?.name}`, this.typeMeta());
          } catch (err) {
            this.expectations.deletionObserved(key, p.metadata?.uid);
            if (isNotFound(err)) return;
            void this.events.record(owner, "Warning", "FailedDelete", `Error deleting: ${(err as Error).message}`, this.typeMeta());
            throw err;
          }
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    }
  }

  private typeMeta(): { apiVersion: string; kind: string } {
    return { apiVersion: this.kind.apiVersion, kind: this.kind.kind };
  }

  /** Active pods of this owner and of its siblings (other owners with the same controller), for node ranking. */
  private relatedPods(owner: KubeObject): KubeObject[] {
    const ns = owner.metadata.namespace;
    const parent = controllerRefOf(owner)?.uid;
    const siblings = new Set<string>([owner.metadata.uid ?? ""]);
    if (parent) for (const o of this.owners.list()) if (o.metadata.namespace === ns && controllerRefOf(o)?.uid === parent) siblings.add(o.metadata.uid ?? "");
    return this.pods.list().filter((p) => p.metadata.namespace === ns && siblings.has(controllerRefOf(p)?.uid ?? "") && isPodActive(asPod(p)));
  }

  private calculateStatus(owner: KubeObject, pods: KubeObject[], manageError: unknown): ReplicaSetStatus {
    const template = specOf(owner).template;
    const minReady = specOf(owner).minReadySeconds ?? 0;
    const now = Date.now();
    const current = statusOf(owner);
    let conditions = [...(current.conditions ?? [])];
    const failure = conditions.find((c) => c.type === "ReplicaFailure");
    if (manageError && !failure) {
      const diff = pods.length - (specOf(owner).replicas ?? 1);
      const cond: ReplicaSetCondition = {
        type: "ReplicaFailure",
        status: "True",
        reason: diff < 0 ? "FailedCreate" : "FailedDelete",
        message: (manageError as Error).message ?? String(manageError),
        lastTransitionTime: rfc3339(now),
      };
      conditions.push(cond);
    } else if (!manageError && failure) {
      conditions = conditions.filter((c) => c.type !== "ReplicaFailure");
    }
    const status: ReplicaSetStatus = {
      replicas: pods.length,
      fullyLabeledReplicas: pods.filter((p) => hasTemplateLabels(p, template)).length,
      readyReplicas: pods.filter((p) => isPodReady(asPod(p))).length,
      availableReplicas: pods.filter((p) => isPodAvailable(asPod(p), minReady, now)).length,
      observedGeneration: owner.metadata.generation ?? 1,
    };
    if (conditions.length) status.conditions = conditions;
    return status;
  }

  /** Writes status when it changed; on a conflict, once more over a fresh read (upstream `updateReplicaSetStatus`). */
  private async writeStatus(owner: KubeObject, status: ReplicaSetStatus): Promise<void> {
    if (sameStatus(statusOf(owner), status)) return;
    const ns = owner.metadata.namespace ?? "";
    try {
      await this.client.update(this.kind.ref, ns, { ...owner, status }, "status", this.kind.controllerName);
    } catch (err) {
      if (isNotFound(err)) return;
      if (!(err instanceof ApiError && err.code === 409)) throw err;
      const fresh = await this.client.get(this.kind.ref, ns, owner.metadata.name ?? "");
      if (fresh.metadata.uid !== owner.metadata.uid) return;
      await this.client.update(this.kind.ref, ns, { ...fresh, status }, "status", this.kind.controllerName);
    }
  }
}
