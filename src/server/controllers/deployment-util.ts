/**
 * Deployment arithmetic and bookkeeping without I/O (upstream `pkg/controller/deployment/util`):
 * maxSurge/maxUnavailable resolution, replica sums, revision and replica annotations, conditions,
 * the proportional share of a scaling step, and the completion/progress/timeout tests.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from "kubernetes-types/apps/v1.js";
import { rfc3339 } from "../../shared/api/time.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
/** Deployment annotations never copied onto its ReplicaSets (upstream `skipCopyAnnotation`). */
const NOT_COPIED_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  "deprecated.deployment.rollback.to",
]);
/** Upstream's cap on the revision-history annotation, so rollbacks cannot grow it without bound. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Condition reasons `kubectl rollout status` and `describe` show (upstream util constants). */
export const REASON = {
  minimumReplicasAvailable: "MinimumReplicasAvailable",
  minimumReplicasUnavailable: "MinimumReplicasUnavailable",
  newReplicaSetCreated: "NewReplicaSetCreated",
  foundNewReplicaSet: "FoundNewReplicaSet",
  replicaSetUpdated: "ReplicaSetUpdated",
  newReplicaSetAvailable: "NewReplicaSetAvailable",
  progressDeadlineExceeded: "ProgressDeadlineExceeded",
  replicaSetCreateError: "ReplicaSetCreateError",
  deploymentPaused: "DeploymentPaused",
  deploymentResumed: "DeploymentResumed",
} as const;

/** A Deployment spec.replicas with the API default. */
export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function rsReplicas(rs: ReplicaSet | undefined): number {
  return rs?.spec?.replicas ?? 0;
}

/**
 * An int-or-percent resolved against `total` (upstream `GetScaledValueFromIntOrPercent`): percentages
 * round up for surge and down for unavailability.
 *
 * @example scaledValue("25%", 10, true) // 3
 */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  const m = /^(-?\d+)%$/.exec(value);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/**
 * maxSurge and maxUnavailable in pods (upstream `ResolveFenceposts`); both zero would block a rollout,
 * so unavailability becomes 1.
 *
 * @example resolveFenceposts("25%", "25%", 3) // { surge: 1, unavailable: 0 }
 */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

/** Pods a rolling update may add above spec.replicas (0 for Recreate). */
export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

/** Pods a rolling update may have unavailable (0 for Recreate or zero replicas), at most spec.replicas. */
export function maxUnavailable(d: Deployment): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desired).unavailable, desired);
}

/** Sum of spec.replicas. */
export function specReplicaSum(rss: (ReplicaSet | undefined)[]): number {
  return rss.reduce((n, rs) => n + rsReplicas(rs), 0);
}

/** Sum of a status counter. */
export function statusSum(rss: (ReplicaSet | undefined)[], field: "replicas" | "readyReplicas" | "availableReplicas"): number {
  return rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

/** ReplicaSets that want pods. */
export function activeReplicaSets(rss: (ReplicaSet | undefined)[]): ReplicaSet[] {
  return rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);
}

function createdAt(o: { metadata?: { creationTimestamp?: string; name?: string } }): number {
  return Date.parse(o.metadata?.creationTimestamp ?? "") || 0;
}

/** Oldest first; equal times by name (upstream `ReplicaSetsByCreationTimestamp`). */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return createdAt(a) - createdAt(b) || (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? "");
}

/** The revision annotation as a number (0 when missing or malformed). */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = Number(obj?.metadata?.annotations?.[REVISION_ANNOTATION] ?? "");
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function maxRevision(rss: ReplicaSet[]): number {
  return Math.max(0, ...rss.map(revisionOf));
}

function annotationInt(rs: ReplicaSet, name: string): number | undefined {
  const raw = rs.metadata?.annotations?.[name];
  if (raw === undefined) return undefined;
  const v = Number(raw);
  return Number.isInteger(v) ? v : undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return annotationInt(rs, DESIRED_REPLICAS_ANNOTATION);
}

function mutableAnnotations(obj: ReplicaSet | Deployment): Record<string, string> {
  const meta = obj.metadata as { annotations?: Record<string, string> };
  meta.annotations ??= {};
  return meta.annotations;
}

/**
 * Sets desired-replicas and max-replicas on a ReplicaSet; true when something changed.
 *
 * @example setReplicasAnnotations(rs, 3, 4)
 */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = mutableAnnotations(rs);
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** Whether desired/max-replicas differ from the Deployment's current numbers. */
export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * Copies the Deployment's own annotations (not kubectl's or the controller's) onto its new ReplicaSet,
 * bumps the RS revision to `newRevision` (keeping earlier ones in revision-history), and for a
 * ReplicaSet about to be created sets the replica annotations (upstream `SetNewReplicaSetAnnotations`).
 * True when the ReplicaSet changed.
 *
 * @example setNewReplicaSetAnnotations(d, rs, 3, true)
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const a = mutableAnnotations(rs);
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (NOT_COPIED_ANNOTATIONS.has(k)) continue;
    if (a[k] !== v) {
      a[k] = v;
      changed = true;
    }
  }
  const old = revisionOf(rs);
  if (old < newRevision) {
    if (old > 0) {
      const history = a[REVISION_HISTORY_ANNOTATION] ? `${a[REVISION_HISTORY_ANNOTATION]},${old}` : String(old);
      if (history.length <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY_ANNOTATION] = history;
    }
    a[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/**
 * The new ReplicaSet's size for the next step (upstream `NewRSNewReplicas`): rolling updates add up to
 * maxSurge above spec.replicas in total, Recreate jumps to spec.replicas.
 *
 * @example newReplicaSetReplicas(d, [old, newRS], newRS)
 */
export function newReplicaSetReplicas(d: Deployment, all: (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const desired = desiredReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = specReplicaSum(all);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, desired - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** Go's math.Round: half away from zero. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * This ReplicaSet's share of a scaling step of `toAdd` pods of which `added` are handed out already
 * (upstream `GetProportion` / `getReplicaSetFraction`): proportional to its size relative to the
 * Deployment's size when it was last scaled (the max-replicas annotation).
 *
 * @example replicaSetProportion(rs, d, 5, 0)
 */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  let fraction: number;
  if (desiredReplicas(d) === 0) {
    fraction = -rsReplicas(rs);
  } else {
    const deploymentReplicas = desiredReplicas(d) + maxSurge(d);
    const annotated = annotationInt(rs, MAX_REPLICAS_ANNOTATION) ?? d.status?.replicas ?? 0;
    fraction = annotated === 0 ? 0 : roundHalfAway((rsReplicas(rs) * deploymentReplicas) / annotated) - rsReplicas(rs);
  }
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * A condition with both timestamps now.
 *
 * @example newCondition("Available", "True", REASON.minimumReplicasAvailable, "Deployment has minimum availability.")
 */
export function newCondition(type: string, status: "True" | "False" | "Unknown", reason: string, message: string, now = new Date()): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, reason, message, lastUpdateTime: t, lastTransitionTime: t };
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition (upstream `SetDeploymentCondition`): same status and reason leaves it alone; same
 * status keeps its lastTransitionTime.
 */
export function setCondition(status: DeploymentStatus, cond: DeploymentCondition): void {
  const current = getCondition(status, cond.type);
  if (current && current.status === cond.status && current.reason === cond.reason) return;
  const next = { ...cond };
  if (current && current.status === cond.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== cond.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** progressDeadlineSeconds is set (and not MaxInt32, upstream's "no deadline"). */
export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

/**
 * Every replica updated and available and the spec observed (upstream `DeploymentComplete`).
 *
 * @example deploymentComplete(d, newStatus)
 */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const desired = desiredReplicas(d);
  return (s.updatedReplicas ?? 0) === desired && (s.replicas ?? 0) === desired && (s.availableReplicas ?? 0) === desired && (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** The rollout moved since the last status: more updated, fewer old, more ready or available pods (upstream `DeploymentProgressing`). */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** No progress for progressDeadlineSeconds since the Progressing condition was last updated (upstream `DeploymentTimedOut`). */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now = Date.now()): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, "Progressing");
  if (!c) return false;
  if (c.reason === REASON.newReplicaSetAvailable) return false;
  if (c.reason === REASON.progressDeadlineExceeded) return true;
  const from = Date.parse(c.lastUpdateTime ?? "");
  return !Number.isNaN(from) && from + (d.spec?.progressDeadlineSeconds ?? 0) * 1000 < now;
}
