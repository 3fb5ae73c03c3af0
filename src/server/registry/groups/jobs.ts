/**
 * batch/v1 Job: defaults (pkg/apis/batch/v1/defaults.go), selector generation and validation
 * (pkg/registry/batch/job/strategy.go, pkg/apis/batch/validation) and table (`printJob`).
 */
import type { Job, JobSpec, JobStatus } from "kubernetes-types/batch/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { labelSelectorFromObject } from "../../../shared/api/selectors.js";
import { isDNS1123Label } from "../../../shared/api/validation.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { validatePodTemplateSpec } from "../core-v1/pod-validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatLabelSelector, humanDuration } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { validatePodFailurePolicy, validateSuccessPolicy } from "./job-policies.js";
import {
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  STATUS_SUBRESOURCE,
  column,
  containerCells,
  deepEqual,
  ensure,
  immutable,
  nonNegative,
  specOf,
  statusOf,
  validateDomainPrefixedPath,
  validateWorkloadSelector,
} from "./common.js";

/** Pod failures tolerated before the Job is marked Failed (upstream default). */
export const DEFAULT_JOB_BACKOFF_LIMIT = 6;
/** With backoffLimitPerIndex the global limit is effectively off (upstream uses MaxInt32). */
const MAX_INT32 = 2147483647;
/** Indexed Jobs may not run more than this many pods at once (caps `status.completedIndexes`). */
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000;
/** Upstream bounds on per-index backoff: failed-index tracking grows with these. */
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100_000;
const COMPLETIONS_SOFT_LIMIT = 100_000;
const PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS = 10_000;
const MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS = 10_000;

/** `spec.managedBy` names an external Job controller; upstream caps it at 63 characters. */
const MAX_MANAGED_BY_LENGTH = 63;

/** Labels the Job controller's generated selector uses (upstream `batch.ControllerUidLabel` etc.). */
export const JOB_CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const LEGACY_JOB_CONTROLLER_UID_LABEL = "controller-uid";
export const LEGACY_JOB_NAME_LABEL = "job-name";

/**
 * Fills upstream's Job defaults in place (completions/parallelism 1, backoffLimit 6, NonIndexed, not
 * suspended, podReplacementPolicy, labels copied from the template when the Job has none).
 *
 * @example defaultJob(job); // job.spec.backoffLimit === 6
 */
export function defaultJob(obj: KubeObject): void {
  const spec = ensure<JobSpec>(obj, "spec");
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? MAX_INT32 : DEFAULT_JOB_BACKOFF_LIMIT;
  const template = ensure<PodTemplateSpec>(spec, "template");
  const templateLabels = template.metadata?.labels;
  if (templateLabels && Object.keys(obj.metadata.labels ?? {}).length === 0) obj.metadata.labels = { ...templateLabels };
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? "Failed" : "TerminatingOrFailed";
  defaultPodTemplateSpec(template);
}

/**
 * Upstream `generateSelector`: unless `manualSelector` is true, labels the pod template with the Job's
 * name and UID and selects on the UID. Needs `metadata.name` and `metadata.uid` (set before this runs).
 *
 * @example generateJobSelector(job); // job.spec.selector.matchLabels["batch.kubernetes.io/controller-uid"] === job.metadata.uid
 */
export function generateJobSelector(obj: KubeObject): void {
  const spec = ensure<JobSpec>(obj, "spec");
  if (spec.manualSelector === true) return;
  const uid = obj.metadata.uid ?? "";
  const name = obj.metadata.name ?? "";
  const meta = ensure<NonNullable<PodTemplateSpec["metadata"]>>(ensure<PodTemplateSpec>(spec, "template"), "metadata");
  const labels = (meta.labels ??= {});
  // User-set labels win; a conflict is then reported by validation ("`selector` not auto-generated" or "must be '<uid>'").
  for (const key of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[key] ??= name;
  for (const key of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) labels[key] ??= uid;
  const selector = (spec.selector ??= {});
  const matchLabels = (selector.matchLabels ??= {});
  matchLabels[JOB_CONTROLLER_UID_LABEL] ??= uid;
}

/** Upstream `ValidateHasLabel`. */
function hasLabel(labels: Record<string, string> | undefined, path: string, key: string, expected: string): StatusCause[] {
  const actual = labels?.[key];
  if (actual === undefined) return [fieldError.required(`${path}.labels[${key}]`, `must be '${expected}'`)];
  if (actual !== expected) return [fieldError.invalid(`${path}.labels[${key}]`, labels, `must be '${expected}'`)];
  return [];
}

/**
 * Upstream `validateGeneratedSelector` (create only): unless `manualSelector` is set, the pod template
 * must carry the generated labels and the selector must select them. Skipped while the UID is unset.
 */
function validateGeneratedSelector(obj: KubeObject): StatusCause[] {
  const spec = specOf<JobSpec>(obj);
  const uid = obj.metadata.uid;
  if (spec.manualSelector === true || !spec.selector || !uid) return [];
  const name = obj.metadata.name ?? "";
  const labels = spec.template?.metadata?.labels;
  const path = "spec.template.metadata";
  const causes: StatusCause[] = [
    ...hasLabel(labels, path, LEGACY_JOB_CONTROLLER_UID_LABEL, uid),
    ...hasLabel(labels, path, LEGACY_JOB_NAME_LABEL, name),
    ...hasLabel(labels, path, JOB_CONTROLLER_UID_LABEL, uid),
    ...hasLabel(labels, path, JOB_NAME_LABEL, name),
  ];
  const expected = { [LEGACY_JOB_CONTROLLER_UID_LABEL]: uid, [LEGACY_JOB_NAME_LABEL]: name, [JOB_CONTROLLER_UID_LABEL]: uid, [JOB_NAME_LABEL]: name };
  let matches = false;
  try {
    matches = labelSelectorFromObject(spec.selector).matches(expected);
  } catch {
    return causes; // a malformed selector is reported by the selector validation
  }
  if (!matches) causes.push(fieldError.invalid("spec.selector", spec.selector, "`selector` not auto-generated"));
  return causes;
}

/**
 * The Job spec rules shared by Jobs and CronJob job templates (upstream `validateJobSpec`): counts,
 * completion mode, pod replacement policy, restart policy and the pod template itself.
 */
export function validateJobSpecCommon(spec: Partial<JobSpec>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  causes.push(...nonNegative(spec.parallelism, `${path}.parallelism`));
  causes.push(...nonNegative(spec.completions, `${path}.completions`));
  causes.push(...nonNegative(spec.activeDeadlineSeconds, `${path}.activeDeadlineSeconds`));
  causes.push(...nonNegative(spec.backoffLimit, `${path}.backoffLimit`));
  causes.push(...nonNegative(spec.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`));
  causes.push(...nonNegative(spec.backoffLimitPerIndex, `${path}.backoffLimitPerIndex`));
  if (spec.maxFailedIndexes !== undefined) {
    causes.push(...nonNegative(spec.maxFailedIndexes, `${path}.maxFailedIndexes`));
    if (spec.backoffLimitPerIndex === undefined) causes.push(fieldError.required(`${path}.backoffLimitPerIndex`, "when maxFailedIndexes is specified"));
  }
  if (spec.managedBy !== undefined) {
    causes.push(...validateDomainPrefixedPath(spec.managedBy, `${path}.managedBy`));
    if (spec.managedBy.length > MAX_MANAGED_BY_LENGTH) causes.push(fieldError.tooLong(`${path}.managedBy`, MAX_MANAGED_BY_LENGTH));
  }
  const indexed = spec.completionMode === "Indexed";
  if (spec.completionMode !== undefined) {
    if (spec.completionMode !== "NonIndexed" && !indexed) {
      causes.push(fieldError.notSupported(`${path}.completionMode`, spec.completionMode, ["NonIndexed", "Indexed"]));
    }
    if (indexed) causes.push(...validateIndexedLimits(spec, path));
  }
  if (!indexed && (spec.completionMode === undefined || spec.completionMode === "NonIndexed")) {
    if (spec.backoffLimitPerIndex !== undefined) causes.push(fieldError.invalid(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex, "requires indexed completion mode"));
    if (spec.maxFailedIndexes !== undefined) causes.push(fieldError.invalid(`${path}.maxFailedIndexes`, spec.maxFailedIndexes, "requires indexed completion mode"));
  }
  if (spec.podFailurePolicy) causes.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
  if (spec.successPolicy) {
    if (!indexed) causes.push(fieldError.invalid(`${path}.successPolicy`, spec.successPolicy, "requires indexed completion mode"));
    else causes.push(...validateSuccessPolicy(spec, `${path}.successPolicy`));
  }
  if (spec.podReplacementPolicy !== undefined) {
    const allowed = spec.podFailurePolicy ? ["Failed"] : ["Failed", "TerminatingOrFailed"];
    if (!allowed.includes(spec.podReplacementPolicy)) causes.push(fieldError.notSupported(`${path}.podReplacementPolicy`, spec.podReplacementPolicy, allowed));
  }
  causes.push(...validatePodTemplateSpec(spec.template, `${path}.template`));
  const restartPolicy = spec.template?.spec?.restartPolicy ?? "";
  const restartPath = `${path}.template.spec.restartPolicy`;
  // The pod defaults fill Always when the user sets nothing, so both mean "not chosen" here.
  if (restartPolicy === "Always" || restartPolicy === "") causes.push(fieldError.required(restartPath, 'valid values: "OnFailure", "Never"'));
  else if (restartPolicy !== "OnFailure" && restartPolicy !== "Never") causes.push(fieldError.notSupported(restartPath, restartPolicy, ["OnFailure", "Never"]));
  else if (spec.podFailurePolicy && restartPolicy !== "Never") causes.push(fieldError.invalid(restartPath, restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  return causes;
}

/** Upstream's size limits of Indexed Jobs (they bound `status.completedIndexes` and `failedIndexes`). */
function validateIndexedLimits(spec: Partial<JobSpec>, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const { completions, parallelism, maxFailedIndexes, backoffLimitPerIndex } = spec;
  if (completions === undefined) causes.push(fieldError.required(`${path}.completions`, "when completion mode is Indexed"));
  if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
    causes.push(fieldError.invalid(`${path}.parallelism`, parallelism, `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`));
  }
  if (completions !== undefined && maxFailedIndexes !== undefined && maxFailedIndexes > completions) {
    causes.push(fieldError.invalid(`${path}.maxFailedIndexes`, maxFailedIndexes, "must be less than or equal to completions"));
  }
  if (maxFailedIndexes !== undefined && maxFailedIndexes > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
    causes.push(fieldError.invalid(`${path}.maxFailedIndexes`, maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_FOR_INDEXED_JOB}`));
  }
  if (completions !== undefined && completions > COMPLETIONS_SOFT_LIMIT && backoffLimitPerIndex !== undefined) {
    const suffix = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
    if (maxFailedIndexes === undefined) causes.push(fieldError.required(`${path}.maxFailedIndexes`, `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`));
    if (parallelism !== undefined && parallelism > PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS) {
      causes.push(fieldError.invalid(`${path}.parallelism`, parallelism, `must be less than or equal to ${PARALLELISM_LIMIT_FOR_HIGH_COMPLETIONS} ${suffix}`));
    }
    if (maxFailedIndexes !== undefined && maxFailedIndexes > MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS) {
      causes.push(fieldError.invalid(`${path}.maxFailedIndexes`, maxFailedIndexes, `must be less than or equal to ${MAX_FAILED_INDEXES_LIMIT_FOR_HIGH_COMPLETIONS} ${suffix}`));
    }
  }
  return causes;
}

/** Template fields a suspended, never-started Job may still change (upstream mutable scheduling directives). */
function schedulingDirectivesOnly(t: PodTemplateSpec | undefined): unknown {
  const copy = structuredClone(t ?? {}) as PodTemplateSpec;
  if (copy.metadata) {
    delete copy.metadata.labels;
    delete copy.metadata.annotations;
  }
  if (copy.spec) {
    delete copy.spec.nodeSelector;
    delete copy.spec.tolerations;
    delete copy.spec.schedulingGates;
    // Only node affinity may change; pod (anti-)affinity stays frozen.
    if (copy.spec.affinity) {
      delete copy.spec.affinity.nodeAffinity;
      if (Object.keys(copy.spec.affinity).length === 0) delete copy.spec.affinity;
    }
  }
  return copy;
}

/** Upstream `ValidateJobSpecUpdate`. */
function validateJobUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const spec = specOf<JobSpec>(obj);
  const oldSpec = specOf<JobSpec>(old);
  const causes: StatusCause[] = [];
  causes.push(...immutable(spec.selector, oldSpec.selector, "spec.selector"));
  const mutableDirectives = oldSpec.suspend === true && !statusOf<JobStatus>(old).startTime;
  if (mutableDirectives) {
    if (!deepEqual(schedulingDirectivesOnly(spec.template), schedulingDirectivesOnly(oldSpec.template))) causes.push(fieldError.immutable("spec.template", spec.template));
  } else {
    causes.push(...immutable(spec.template, oldSpec.template, "spec.template"));
  }
  if (spec.completions !== oldSpec.completions) {
    // Elastic Indexed Jobs: completions may change, but only together with (and equal to) parallelism.
    if (spec.completionMode !== "Indexed") causes.push(fieldError.immutable("spec.completions", spec.completions));
    else if (spec.completions !== undefined && spec.completions !== spec.parallelism) {
      causes.push(fieldError.invalid("spec.completions", spec.completions, "can only be modified in tandem with spec.parallelism"));
    }
  }
  for (const f of ["completionMode", "podFailurePolicy", "backoffLimitPerIndex", "managedBy", "successPolicy"] as const) {
    causes.push(...immutable(spec[f], oldSpec[f], `spec.${f}`));
  }
  return causes;
}

/**
 * Upstream `ValidateJob` (create) or `ValidateJobUpdate` + the spec rules (update).
 *
 * @example validateJob(job, undefined) // [] for a valid Job
 */
export function validateJob(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<JobSpec>(obj);
  const causes: StatusCause[] = [];
  if (!old) {
    causes.push(...validateGeneratedSelector(obj));
    // Indexed pods are named <job>-<index>; the longest must still be a DNS label.
    if (spec.completionMode === "Indexed" && (spec.completions ?? 0) > 0) {
      const hostname = `${obj.metadata.name ?? ""}-${spec.completions! - 1}`;
      if (isDNS1123Label(hostname).length) causes.push(fieldError.invalid("metadata.name", obj.metadata.name ?? "", `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  causes.push(...validateWorkloadSelector(spec.selector, spec.template, "spec"));
  causes.push(...validateJobSpecCommon(spec, "spec"));
  if (old) causes.push(...validateJobUpdate(obj, old));
  return causes;
}

/** Upstream `validateJobStatus` essentials (writes to /status). */
export function validateJobStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<JobStatus>(obj);
  const causes: StatusCause[] = [];
  for (const f of ["active", "succeeded", "failed", "ready", "terminating"] as const) causes.push(...nonNegative(st[f], `status.${f}`));
  return causes;
}

function conditionTrue(job: Job, type: string): boolean {
  const c = (job.status?.conditions ?? []).find((x) => x.type === type);
  return c?.status === "True";
}

/** The Status cell (upstream `printJob`, 1.30+). */
export function jobStatusText(job: Job): string {
  if (conditionTrue(job, "Complete")) return "Complete";
  if (conditionTrue(job, "Failed")) return "Failed";
  if (job.metadata?.deletionTimestamp) return "Terminating";
  if (conditionTrue(job, "Suspended")) return "Suspended";
  if (conditionTrue(job, "FailureTarget")) return "FailureTarget";
  return "Running";
}

/** The Completions cell: "1/3", or "0/1 of 4" for work-queue Jobs with parallelism > 1. */
export function jobCompletionsText(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

/** The Duration cell: start → completion, or start → now while running; "" before the start. */
export function jobDurationText(job: Job, now: number): string {
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (Number.isNaN(start)) return "";
  const end = job.status?.completionTime ? Date.parse(job.status.completionTime) : now;
  return humanDuration(end - start);
}

export const jobs: ResourceType = resourceType({
  group: "batch",
  version: "v1",
  kind: "Job",
  plural: "jobs",
  namespaced: true,
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Status", "string", "Status of the job."),
      column("Completions", "string", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
      column("Duration", "string", "Time required to complete the job."),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column("Selector", "string", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ],
    cells(obj, now) {
      const job = obj as unknown as Job;
      const [names, images] = containerCells(job.spec?.template?.spec);
      return [job.metadata?.name ?? "", jobStatusText(job), jobCompletionsText(job), jobDurationText(job, now), age(obj, now), names, images, formatLabelSelector(job.spec?.selector)];
    },
  },
  defaults: defaultJob,
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? validateJobStatus(obj) : validateJob(obj, old)),
  fieldSelectors: {
    // Upstream JobToSelectableFields.
    "status.successful": (obj) => String(statusOf<JobStatus>(obj).succeeded ?? 0),
  },
  prepareForCreate(obj) {
    obj.status = {};
    generateJobSelector(obj);
  },
});
