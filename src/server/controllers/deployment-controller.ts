/**
 * DeploymentController: rolls a Deployment's pod template out through ReplicaSets, as upstream's
 * `pkg/controller/deployment` does (sync.go, rolling.go, recreate.go, progress.go).
 *
 * reconcile(key): claim the ReplicaSets the selector picks; then, in upstream's order: deleting →
 * status only; paused → scale and clean up only; spec.replicas changed → proportional scaling;
 * otherwise a rollout step of the strategy. A rollout step finds or creates the ReplicaSet of the
 * current template (`<deployment>-<pod-template-hash>`, revision annotations), scales it up and the
 * old ones down within maxSurge/maxUnavailable (RollingUpdate) or old ones to zero first (Recreate),
 * keeps revisionHistoryLimit old ReplicaSets, and writes status counters and the Available and
 * Progressing conditions that `kubectl rollout status` waits for.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from "kubernetes-types/apps/v1.js";
import type { Pod } from "kubernetes-types/core/v1.js";
import { ApiError } from "../../shared/api/status.js";
import { deepCopy, type KubeObject } from "../../shared/api/types.js";
import { labelSelectorFromObject, type LabelSelectorMatcher } from "../../shared/api/selectors.js";
import type { Logger } from "../../shared/log.js";
import type { Informer } from "../../shared/client/informer.js";
import { objectCacheKey, type ApiClient, type ResourceRef } from "../../shared/client/types.js";
import { WorkQueue } from "../../shared/client/work-queue.js";
import { processQueue, type ReconcileResult } from "../../shared/client/controller-loop.js";
import { claimObjects, controllerRefOf, newControllerRef, ownerStillLive } from "./controller-ref.js";
import { ObjectEventRecorder } from "./object-events.js";
import { canonicalJson, computePodTemplateHash, POD_TEMPLATE_HASH_LABEL, templatesEqualIgnoringHash } from "./pod-template-hash.js";
import {
  REASON,
  REVISION_ANNOTATION,
  activeReplicaSets,
  byCreation,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicas,
  desiredReplicasAnnotation,
  getCondition,
  hasProgressDeadline,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newReplicaSetReplicas,
  removeCondition,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  revisionOf,
  rsReplicas,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicaSum,
  statusSum,
} from "./deployment-util.js";

const DEPLOYMENTS: ResourceRef = { group: "apps", plural: "deployments" };
const REPLICA_SETS: ResourceRef = { group: "apps", plural: "replicasets" };
const FIELD_MANAGER = "deployment-controller";
/** A stuck rollout is looked at again when its deadline passes; closer than this counts as now. */
const MIN_REQUEUE_MS = 1000;

/** The Deployment being synced: each write replaces it, so later steps send the newest resourceVersion. */
interface SyncContext {
  d: Deployment;
  key: string;
}

function obj(o: Deployment | ReplicaSet): KubeObject {
  return o as unknown as KubeObject;
}

function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}

/** Status as stored: counters that are zero are omitted, as upstream's omitempty JSON does. */
function compactStatus(s: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) if (v !== undefined && v !== 0 && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  return out as DeploymentStatus;
}

export class DeploymentController {
  private readonly queue = new WorkQueue();
  private readonly events: ObjectEventRecorder;

  /**
   * @example
   *   const dc = new DeploymentController(client, deployments, replicaSets, pods, log);
   *   dc.run(); … dc.stop();
   */
  constructor(
    private readonly client: ApiClient,
    private readonly deployments: Informer,
    private readonly replicaSets: Informer,
    private readonly pods: Informer,
    private readonly log: Logger,
  ) {
    this.events = new ObjectEventRecorder(client, FIELD_MANAGER, log);
    deployments.addHandlers({
      onAdd: (d) => this.enqueue(d),
      onUpdate: (_o, d) => this.enqueue(d),
      onDelete: (d) => this.enqueue(d),
    });
    replicaSets.addHandlers({
      onAdd: (rs) => (rs.metadata.deletionTimestamp ? this.replicaSetDeleted(rs) : this.replicaSetAdded(rs)),
      onUpdate: (old, rs) => this.replicaSetUpdated(old, rs),
      onDelete: (rs) => this.replicaSetDeleted(rs),
    });
    pods.addHandlers({ onDelete: (p) => this.podDeleted(p) });
  }

  async run(): Promise<void> {
    await Promise.all([this.deployments.waitForSync(), this.replicaSets.waitForSync(), this.pods.waitForSync()]);
    await processQueue(this.queue, (key) => this.reconcile(key), (key, err) => this.log.debug({ deployment: key, err: err.message }, "sync failed; retrying"));
  }

  stop(): void {
    this.queue.shutDown();
  }

  private enqueue(d: KubeObject): void {
    this.queue.add(objectCacheKey(d));
  }

  // ---- event handlers: enqueue the Deployment concerned ----------------------------------------

  private deploymentOf(rs: KubeObject): KubeObject | undefined {
    const ref = controllerRefOf(rs);
    if (!ref || ref.kind !== "Deployment") return undefined;
    const d = this.deployments.get(`${rs.metadata.namespace}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  private deploymentsSelecting(rs: KubeObject): KubeObject[] {
    return this.deployments.list().filter((d) => {
      if (d.metadata.namespace !== rs.metadata.namespace) return false;
      try {
        const sel = labelSelectorFromObject((d.spec as Deployment["spec"])?.selector);
        return !sel.isEverything() && sel.matches(rs.metadata.labels);
      } catch {
        return false;
      }
    });
  }

  private replicaSetAdded(rs: KubeObject): void {
    if (controllerRefOf(rs)) {
      const d = this.deploymentOf(rs);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  private replicaSetUpdated(old: KubeObject, rs: KubeObject): void {
    const oldRef = controllerRefOf(old);
    const ref = controllerRefOf(rs);
    const refChanged = oldRef?.uid !== ref?.uid;
    if (refChanged && oldRef) {
      const d = this.deploymentOf(old);
      if (d) this.enqueue(d);
    }
    if (ref) {
      const d = this.deploymentOf(rs);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = canonicalJson(old.metadata.labels ?? {}) !== canonicalJson(rs.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.deploymentsSelecting(rs)) this.enqueue(d);
  }

  private replicaSetDeleted(rs: KubeObject): void {
    const d = this.deploymentOf(rs);
    if (d) this.enqueue(d);
  }

  /** Recreate waits for old pods to be gone: a pod deletion may unblock it. */
  private podDeleted(pod: KubeObject): void {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== "ReplicaSet") return;
    const rs = this.replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.deploymentOf(rs);
    if (d && (d.spec as Deployment["spec"])?.strategy?.type === "Recreate") this.enqueue(d);
  }

  // ---- reconcile ----------------------------------------------------------------------------------

  /**
   * One sync of a Deployment; returns a delay when it must be looked at again (progress deadline).
   *
   * @example await dc.reconcile("default/web");
   */
  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.deployments.get(key);
    if (!cached) return;
    const ctx: SyncContext = { d: deepCopy(cached) as unknown as Deployment, key };
    const d = ctx.d;
    let selector: LabelSelectorMatcher;
    try {
      selector = labelSelectorFromObject(d.spec?.selector);
    } catch (err) {
      this.log.warn({ deployment: key, err: (err as Error).message }, "invalid selector; not syncing");
      return;
    }
    if (selector.isEverything()) {
      // Upstream refuses to act on a selector that picks every pod; it only records that it saw the spec.
      this.log.warn({ deployment: key }, "selecting all pods is not allowed; not syncing");
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) await this.writeStatus(ctx, { ...(d.status ?? {}), observedGeneration: d.metadata?.generation });
      return;
    }
    const rsList = await this.replicaSetsFor(d, selector);
    if (d.metadata?.deletionTimestamp) return this.syncStatusOnly(ctx, rsList);
    await this.checkPausedConditions(ctx);
    if (ctx.d.spec?.paused) return this.syncScaling(ctx, rsList);
    if (await this.isScalingEvent(ctx, rsList)) return this.syncScaling(ctx, rsList);
    if (ctx.d.spec?.strategy?.type === "Recreate") return this.rolloutRecreate(ctx, rsList, this.podsByReplicaSet(ctx.d, rsList, selector));
    return this.rolloutRolling(ctx, rsList);
  }

  /** The ReplicaSets this Deployment controls after adoption and release (deep copies, safe to change). */
  private async replicaSetsFor(d: Deployment, selector: LabelSelectorMatcher): Promise<ReplicaSet[]> {
    const ns = d.metadata?.namespace;
    const candidates = this.replicaSets.list().filter((rs) => rs.metadata.namespace === ns).map((rs) => deepCopy(rs));
    const claimed = await claimObjects(candidates, {
      client: this.client,
      ref: REPLICA_SETS,
      owner: obj(d),
      ownerApiVersion: "apps/v1",
      ownerKind: "Deployment",
      selector,
      canAdopt: ownerStillLive(this.client, DEPLOYMENTS, obj(d)),
      fieldManager: FIELD_MANAGER,
    });
    return claimed as unknown as ReplicaSet[];
  }

  /** Pods of the Deployment's ReplicaSets by ReplicaSet UID (Recreate checks that old ones are gone). */
  private podsByReplicaSet(d: Deployment, rsList: ReplicaSet[], selector: LabelSelectorMatcher): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>(rsList.map((rs) => [rs.metadata?.uid ?? "", []]));
    for (const p of this.pods.list()) {
      if (p.metadata.namespace !== d.metadata?.namespace || !selector.matches(p.metadata.labels)) continue;
      const list = map.get(controllerRefOf(p)?.uid ?? "");
      if (list) list.push(p as unknown as Pod);
    }
    return map;
  }

  // ---- writes ---------------------------------------------------------------------------------------

  private async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.client.update(REPLICA_SETS, rs.metadata?.namespace ?? "", obj(rs), "", FIELD_MANAGER);
    // Keep callers' lists current: the same object now holds the stored version.
    Object.assign(rs, updated);
    return rs;
  }

  private async writeStatus(ctx: SyncContext, status: DeploymentStatus): Promise<void> {
    const next = { ...obj(ctx.d), status: compactStatus(status) };
    ctx.d = (await this.client.update(DEPLOYMENTS, ctx.d.metadata?.namespace ?? "", next, "status", FIELD_MANAGER)) as unknown as Deployment;
  }

  /** The revision annotation lives in metadata, which a status write cannot change: one update of the object. */
  private async syncDeploymentRevision(ctx: SyncContext, revision: string): Promise<void> {
    if (ctx.d.metadata?.annotations?.[REVISION_ANNOTATION] === revision) return;
    const next = deepCopy(obj(ctx.d));
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: revision };
    const status = ctx.d.status;
    ctx.d = (await this.client.update(DEPLOYMENTS, ctx.d.metadata?.namespace ?? "", next, "", FIELD_MANAGER)) as unknown as Deployment;
    // Status changes made in memory earlier in this sync stay pending for the next status write.
    if (status) ctx.d.status = status;
  }

  /** Sets the ReplicaSet's size and replica annotations; true when the size changed (upstream `scaleReplicaSet`). */
  private async scaleReplicaSet(ctx: SyncContext, rs: ReplicaSet, size: number): Promise<boolean> {
    const d = ctx.d;
    const desired = desiredReplicas(d);
    const max = desired + maxSurge(d);
    const sizeChanged = rsReplicas(rs) !== size;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const before = rsReplicas(rs);
    const copy = deepCopy(rs);
    copy.spec = { ...copy.spec!, replicas: size };
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.client.update(REPLICA_SETS, rs.metadata?.namespace ?? "", obj(copy), "", FIELD_MANAGER);
    Object.assign(rs, updated);
    if (sizeChanged) this.recordScaling(ctx, rs.metadata?.name ?? "", before, size);
    return sizeChanged;
  }

  /** The `ScalingReplicaSet` event `kubectl describe deployment` lists. */
  private recordScaling(ctx: SyncContext, rsName: string, from: number, to: number): void {
    const direction = from < to ? "up" : "down";
    this.log.debug({ deployment: ctx.key, replicaSet: rsName, from, to }, `scaled ${direction} replica set`);
    void this.events.record(obj(ctx.d), "Normal", "ScalingReplicaSet", `Scaled ${direction} replica set ${rsName} from ${from} to ${to}`, { apiVersion: "apps/v1", kind: "Deployment" });
  }

  // ---- new and old ReplicaSets ------------------------------------------------------------------------

  /** The oldest ReplicaSet whose template is the Deployment's (upstream `FindNewReplicaSet`). */
  private findNewReplicaSet(d: Deployment, rsList: ReplicaSet[]): ReplicaSet | undefined {
    return [...rsList].sort(byCreation).find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
  }

  /**
   * The new ReplicaSet (created when `create` and missing) and the old ones, with revisions synced
   * (upstream `getAllReplicaSetsAndSyncRevision`).
   */
  private async replicaSetsAndSyncRevision(ctx: SyncContext, rsList: ReplicaSet[], create: boolean): Promise<{ newRS?: ReplicaSet; oldRSs: ReplicaSet[] }> {
    const existing = this.findNewReplicaSet(ctx.d, rsList);
    const oldRSs = rsList.filter((rs) => rs !== existing);
    const newRS = await this.newReplicaSet(ctx, existing, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async newReplicaSet(ctx: SyncContext, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) {
      const copy = deepCopy(existing);
      const annotationsChanged = setNewReplicaSetAnnotations(ctx.d, copy, newRevision, true);
      const minReady = ctx.d.spec?.minReadySeconds;
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (minReady ?? 0);
      if (annotationsChanged || minReadyChanged) {
        copy.spec = { ...copy.spec!, minReadySeconds: minReady };
        Object.assign(existing, await this.updateReplicaSet(copy));
      }
      await this.syncDeploymentRevision(ctx, String(revisionOf(existing)));
      if (hasProgressDeadline(ctx.d) && !getCondition(ctx.d.status, "Progressing")) {
        const status = deepCopy(ctx.d.status ?? {});
        setCondition(status, newCondition("Progressing", "True", REASON.foundNewReplicaSet, `Found new replica set "${existing.metadata?.name}"`));
        await this.writeStatus(ctx, status);
      }
      return existing;
    }
    if (!create) return undefined;

    const d = ctx.d;
    const ns = d.metadata?.namespace ?? "";
    const template = deepCopy(d.spec?.template ?? {});
    const hash = computePodTemplateHash(d.spec?.template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = deepCopy(d.spec?.selector ?? {});
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata?.name}-${hash}`,
        namespace: ns,
        labels: { ...template.metadata.labels },
        ownerReferences: [newControllerRef(obj(d), "apps/v1", "Deployment")],
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector, template },
    };
    const replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
    rs.spec!.replicas = replicas;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);

    let created: ReplicaSet;
    let alreadyExisted = false;
    try {
      created = (await this.client.create(REPLICA_SETS, ns, obj(rs), FIELD_MANAGER)) as unknown as ReplicaSet;
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) {
        const found = (await this.client.get(REPLICA_SETS, ns, rs.metadata!.name!)) as unknown as ReplicaSet;
        const ref = controllerRefOf(obj(found));
        if (!(ref?.uid === d.metadata?.uid && templatesEqualIgnoringHash(found.spec?.template, d.spec?.template))) {
          // A foreign ReplicaSet holds the name: the next hash includes a bumped collision count.
          const status = deepCopy(d.status ?? {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          await this.writeStatus(ctx, status);
          throw new Error(`replica set ${rs.metadata!.name} exists and is not ours; collisionCount is now ${status.collisionCount}`);
        }
        created = found;
        alreadyExisted = true;
      } else {
        if (hasProgressDeadline(d) && !(err instanceof ApiError && err.code === 403)) {
          const status = deepCopy(d.status ?? {});
          setCondition(status, newCondition("Progressing", "False", REASON.replicaSetCreateError, `Failed to create new replica set "${rs.metadata!.name}": ${(err as Error).message}`));
          await this.writeStatus(ctx, status).catch(() => undefined);
        }
        throw err;
      }
    }
    if (!alreadyExisted && replicas > 0) this.recordScaling(ctx, created.metadata?.name ?? "", 0, replicas);
    await this.syncDeploymentRevision(ctx, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(ctx.d)) {
      const status = deepCopy(ctx.d.status ?? {});
      setCondition(status, newCondition("Progressing", "True", REASON.newReplicaSetCreated, `Created new replica set "${created.metadata?.name}"`));
      await this.writeStatus(ctx, status);
    }
    return created;
  }

  // ---- scaling (spec.replicas changed, or paused) -------------------------------------------------------

  /** Some active ReplicaSet was sized for a different spec.replicas (upstream `isScalingEvent`). */
  private async isScalingEvent(ctx: SyncContext, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, false);
    for (const rs of activeReplicaSets([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== desiredReplicas(ctx.d)) return true;
    }
    return false;
  }

  /** Scaling and cleanup without a rollout step (upstream `sync`). */
  private async syncScaling(ctx: SyncContext, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, false);
    await this.scale(ctx, newRS, oldRSs);
    if (ctx.d.spec?.paused) await this.cleanupOldReplicaSets(ctx, oldRSs);
    await this.syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
  }

  /**
   * Upstream `scale`: one active ReplicaSet takes spec.replicas; a saturated new one lets the old go to
   * zero; otherwise a rolling Deployment spreads the change over active ReplicaSets in proportion to
   * their size, leftovers to the largest.
   */
  private async scale(ctx: SyncContext, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = ctx.d;
    const desired = desiredReplicas(d);
    const active = activeReplicaSets([newRS, ...oldRSs]);
    let target: ReplicaSet | undefined;
    if (active.length === 1) target = active[0];
    else if (active.length === 0) target = newRS ?? [...oldRSs].sort(byCreation).at(-1);
    if (target) {
      if (rsReplicas(target) !== desired || replicasAnnotationsNeedUpdate(target, desired, desired + maxSurge(d))) await this.scaleReplicaSet(ctx, target, desired);
      return;
    }
    const saturated = newRS !== undefined && rsReplicas(newRS) === desired && desiredReplicasAnnotation(newRS) === desired && (newRS.status?.availableReplicas ?? 0) === desired;
    if (saturated) {
      for (const rs of activeReplicaSets(oldRSs)) await this.scaleReplicaSet(ctx, rs, 0);
      return;
    }
    if ((d.spec?.strategy?.type ?? "RollingUpdate") !== "RollingUpdate") return;
    const all = activeReplicaSets([...oldRSs, newRS]);
    const allowed = desired > 0 ? desired + maxSurge(d) : 0;
    const toAdd = allowed - specReplicaSum(all);
    // Growing: larger first, newer on ties; shrinking: larger first, older on ties.
    all.sort((a, b) => rsReplicas(b) - rsReplicas(a) || (toAdd > 0 ? -byCreation(a, b) : byCreation(a, b)));
    const sizes = new Map<ReplicaSet, number>();
    let added = 0;
    for (const rs of all) {
      if (toAdd !== 0) {
        const share = replicaSetProportion(rs, d, toAdd, added);
        sizes.set(rs, rsReplicas(rs) + share);
        added += share;
      } else {
        sizes.set(rs, rsReplicas(rs));
      }
    }
    if (toAdd !== added && all.length) {
      const first = all[0]!;
      sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
    }
    for (const rs of all) await this.scaleReplicaSet(ctx, rs, sizes.get(rs)!);
  }

  // ---- rollout steps -------------------------------------------------------------------------------

  private async rolloutRolling(ctx: SyncContext, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, true);
    const all = [...oldRSs, newRS!];
    if (await this.reconcileNewReplicaSet(ctx, all, newRS!)) return this.syncRolloutStatus(ctx, all, newRS);
    if (await this.reconcileOldReplicaSets(ctx, all, activeReplicaSets(oldRSs), newRS!)) return this.syncRolloutStatus(ctx, all, newRS);
    if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await this.cleanupOldReplicaSets(ctx, oldRSs);
    return this.syncRolloutStatus(ctx, all, newRS);
  }

  private async reconcileNewReplicaSet(ctx: SyncContext, all: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const desired = desiredReplicas(ctx.d);
    if (rsReplicas(newRS) === desired) return false;
    if (rsReplicas(newRS) > desired) return this.scaleReplicaSet(ctx, newRS, desired);
    return this.scaleReplicaSet(ctx, newRS, newReplicaSetReplicas(ctx.d, all, newRS));
  }

  /**
   * Scales old ReplicaSets down as far as availability allows (upstream `reconcileOldReplicaSets`):
   * first their unavailable pods, then available ones while at least spec.replicas - maxUnavailable stay.
   */
  private async reconcileOldReplicaSets(ctx: SyncContext, all: ReplicaSet[], oldActive: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
    const d = ctx.d;
    if (specReplicaSum(oldActive) === 0) return false;
    const minAvailable = desiredReplicas(d) - maxUnavailable(d);
    const newUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = specReplicaSum(all) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;

    // Unhealthy replicas first: removing them costs no availability.
    let cleaned = 0;
    for (const rs of [...oldActive].sort(byCreation)) {
      if (cleaned >= maxScaledDown) break;
      const unavailable = rsReplicas(rs) - (rs.status?.availableReplicas ?? 0);
      if (rsReplicas(rs) === 0 || unavailable <= 0) continue;
      const down = Math.min(maxScaledDown - cleaned, unavailable);
      await this.scaleReplicaSet(ctx, rs, rsReplicas(rs) - down);
      cleaned += down;
    }

    // Then available ones, down to minAvailable.
    let scaledDown = 0;
    const available = statusSum([...oldActive, newRS], "availableReplicas");
    if (available > minAvailable) {
      const budget = available - minAvailable;
      for (const rs of [...oldActive].sort(byCreation)) {
        if (scaledDown >= budget) break;
        if (rsReplicas(rs) === 0) continue;
        const down = Math.min(rsReplicas(rs), budget - scaledDown);
        await this.scaleReplicaSet(ctx, rs, rsReplicas(rs) - down);
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  private async rolloutRecreate(ctx: SyncContext, rsList: ReplicaSet[], podMap: Map<string, Pod[]>): Promise<ReconcileResult> {
    let { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, false);
    let all: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
    let scaledDown = false;
    for (const rs of activeReplicaSets(oldRSs)) if (await this.scaleReplicaSet(ctx, rs, 0)) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(ctx, all, newRS);
    if (this.oldPodsRunning(newRS, oldRSs, podMap)) return this.syncRolloutStatus(ctx, all, newRS);
    if (!newRS) {
      ({ newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, true));
      all = [...oldRSs, newRS];
    }
    await this.scaleReplicaSet(ctx, newRS!, desiredReplicas(ctx.d));
    if (deploymentComplete(ctx.d, ctx.d.status ?? {})) await this.cleanupOldReplicaSets(ctx, oldRSs);
    return this.syncRolloutStatus(ctx, all, newRS);
  }

  /** Recreate: any old pod not finished, or any old ReplicaSet still counting pods (upstream `oldPodsRunning`). */
  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
    if (statusSum(oldRSs, "replicas") > 0) return true;
    for (const [uid, pods] of podMap) {
      if (newRS && newRS.metadata?.uid === uid) continue;
      if (pods.some((p) => p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded")) return true;
    }
    return false;
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit (upstream `cleanupDeployment`). */
  private async cleanupOldReplicaSets(ctx: SyncContext, oldRSs: ReplicaSet[]): Promise<void> {
    const limit = ctx.d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const alive = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const surplus = alive.length - limit;
    if (surplus <= 0) return;
    alive.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of alive.slice(0, surplus)) {
      // Only ReplicaSets that are fully scaled down and whose status is current.
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      try {
        await this.client.delete(REPLICA_SETS, rs.metadata?.namespace ?? "", rs.metadata?.name ?? "", { propagationPolicy: "Background", preconditions: { uid: rs.metadata?.uid } });
        this.log.debug({ deployment: ctx.key, replicaSet: rs.metadata?.name }, "deleted old replica set beyond revisionHistoryLimit");
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  // ---- status ------------------------------------------------------------------------------------

  /** Counters and the Available condition from the ReplicaSets (upstream `calculateStatus`). */
  private calculateStatus(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentStatus {
    const available = statusSum(all, "availableReplicas");
    const status: DeploymentStatus = {
      observedGeneration: d.metadata?.generation,
      replicas: statusSum(all, "replicas"),
      updatedReplicas: statusSum([newRS], "replicas"),
      readyReplicas: statusSum(all, "readyReplicas"),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, specReplicaSum(all) - available),
      collisionCount: d.status?.collisionCount,
      conditions: deepCopy(d.status?.conditions ?? []),
    };
    if (available >= desiredReplicas(d) - maxUnavailable(d)) setCondition(status, newCondition("Available", "True", REASON.minimumReplicasAvailable, "Deployment has minimum availability."));
    else setCondition(status, newCondition("Available", "False", REASON.minimumReplicasUnavailable, "Deployment does not have minimum availability."));
    return status;
  }

  private sameStatus(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
    return canonicalJson(compactStatus(a ?? {})) === canonicalJson(compactStatus(b));
  }

  private async syncStatusOnly(ctx: SyncContext, rsList: ReplicaSet[]): Promise<ReconcileResult> {
    const { newRS, oldRSs } = await this.replicaSetsAndSyncRevision(ctx, rsList, false);
    await this.syncDeploymentStatus(ctx, [...oldRSs, newRS], newRS);
  }

  private async syncDeploymentStatus(ctx: SyncContext, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<void> {
    const status = this.calculateStatus(ctx.d, all, newRS);
    if (!this.sameStatus(ctx.d.status, status)) await this.writeStatus(ctx, status);
  }

  /**
   * Status plus the Progressing condition (upstream `syncRolloutStatus`): NewReplicaSetAvailable when
   * complete, ReplicaSetUpdated while pods move, ProgressDeadlineExceeded after progressDeadlineSeconds
   * without movement. Returns when to look again for a rollout that might time out.
   */
  private async syncRolloutStatus(ctx: SyncContext, all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): Promise<ReconcileResult> {
    const d = ctx.d;
    const status = this.calculateStatus(d, all, newRS);
    if (!hasProgressDeadline(d)) removeCondition(status, "Progressing");
    const current = getCondition(status, "Progressing");
    const complete = status.replicas === status.updatedReplicas && current?.reason === REASON.newReplicaSetAvailable;
    if (hasProgressDeadline(d) && !complete) {
      const name = newRS?.metadata?.name;
      if (deploymentComplete(d, status)) {
        setCondition(status, newCondition("Progressing", "True", REASON.newReplicaSetAvailable, name ? `ReplicaSet "${name}" has successfully progressed.` : "Deployment has successfully progressed."));
      } else if (deploymentProgressing(d, status)) {
        const cond = newCondition("Progressing", "True", REASON.replicaSetUpdated, name ? `ReplicaSet "${name}" is progressing.` : "Deployment is progressing.");
        // Movement refreshes lastUpdateTime (the deadline clock) but keeps the transition time.
        if (current?.status === "True") cond.lastTransitionTime = current.lastTransitionTime;
        removeCondition(status, "Progressing");
        setCondition(status, cond);
      } else if (deploymentTimedOut(d, status)) {
        setCondition(status, newCondition("Progressing", "False", REASON.progressDeadlineExceeded, name ? `ReplicaSet "${name}" has timed out progressing.` : "Deployment has timed out progressing."));
      }
    }
    const failure = this.replicaFailure(all, newRS);
    if (failure) setCondition(status, failure);
    else removeCondition(status, "ReplicaFailure");
    if (this.sameStatus(d.status, status)) return this.stuckRequeueDelay(d, status);
    await this.writeStatus(ctx, status);
    return undefined;
  }

  /**
   * A ReplicaSet's ReplicaFailure condition (pods it cannot create, e.g. over quota) as the
   * Deployment's, the new ReplicaSet's first (upstream `getReplicaFailures`).
   */
  private replicaFailure(all: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): DeploymentCondition | undefined {
    for (const rs of [newRS, ...all.filter((r) => r !== newRS)]) {
      const c = rs?.status?.conditions?.find((x) => x.type === "ReplicaFailure");
      if (c) return { type: c.type, status: c.status, reason: c.reason, message: c.message, lastUpdateTime: c.lastTransitionTime, lastTransitionTime: c.lastTransitionTime };
    }
    return undefined;
  }

  /** Milliseconds until an unfinished rollout's progress deadline, so it times out even when nothing happens. */
  private stuckRequeueDelay(d: Deployment, status: DeploymentStatus): ReconcileResult {
    const cond = getCondition(status, "Progressing");
    if (!hasProgressDeadline(d) || !cond || deploymentComplete(d, status) || cond.reason === REASON.progressDeadlineExceeded) return undefined;
    const updated = Date.parse(cond.lastUpdateTime ?? "");
    if (Number.isNaN(updated)) return undefined;
    const after = updated + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 - Date.now();
    return after < MIN_REQUEUE_MS ? MIN_REQUEUE_MS : after;
  }

  /** Progressing Unknown with DeploymentPaused / DeploymentResumed when spec.paused flips (upstream `checkPausedConditions`). */
  private async checkPausedConditions(ctx: SyncContext): Promise<void> {
    const d = ctx.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, "Progressing");
    if (cond?.reason === REASON.progressDeadlineExceeded) return;
    const pausedCond = cond?.reason === REASON.deploymentPaused;
    const status = deepCopy(d.status ?? {});
    if (d.spec?.paused && !pausedCond) setCondition(status, newCondition("Progressing", "Unknown", REASON.deploymentPaused, "Deployment is paused"));
    else if (!d.spec?.paused && pausedCond) setCondition(status, newCondition("Progressing", "Unknown", REASON.deploymentResumed, "Deployment is resumed"));
    else return;
    await this.writeStatus(ctx, status);
  }
}
