/**
 * apps/v1 Deployment: defaults (pkg/apis/apps/v1/defaults.go), validation (pkg/apis/apps/validation),
 * strategy (pkg/registry/apps/deployment/strategy.go) and table (pkg/printers/internalversion).
 */
import type { Deployment, DeploymentSpec, DeploymentStatus } from "kubernetes-types/apps/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { validatePodTemplateSpec } from "../core-v1/pod-validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type HookContext, type ResourceType } from "../types.js";
import {
  CONTAINERS_COLUMN,
  IMAGES_COLUMN,
  SCALE_SUBRESOURCE,
  STATUS_SUBRESOURCE,
  column,
  containerCells,
  ensure,
  immutable,
  intOrPercentValue,
  nonNegative,
  selectorString,
  notMoreThan100Percent,
  specOf,
  statusOf,
  validatePositiveIntOrPercent,
  validateWorkloadSelector,
} from "./common.js";

/** Upstream default replica count. */
export const DEFAULT_DEPLOYMENT_REPLICAS = 1;
/** Rolling update surge/unavailability: 25% each, so a rollout keeps ¾ of capacity and adds ¼. */
export const DEFAULT_DEPLOYMENT_MAX_SURGE = "25%";
export const DEFAULT_DEPLOYMENT_MAX_UNAVAILABLE = "25%";
/** Old ReplicaSets kept for `kubectl rollout undo`. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;
/** Seconds without progress before the Progressing condition turns False (`rollout status` gives up). */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;

/**
 * Fills upstream's Deployment defaults in place, pod template included.
 *
 * @example defaultDeployment(obj); // obj.spec.replicas === 1, strategy RollingUpdate 25%/25%
 */
export function defaultDeployment(obj: KubeObject): void {
  const spec = ensure<DeploymentSpec>(obj, "spec");
  spec.replicas ??= DEFAULT_DEPLOYMENT_REPLICAS;
  const strategy = ensure<NonNullable<DeploymentSpec["strategy"]>>(spec, "strategy");
  if (!strategy.type) strategy.type = "RollingUpdate";
  if (strategy.type === "RollingUpdate") {
    const ru = ensure<NonNullable<typeof strategy.rollingUpdate>>(strategy, "rollingUpdate");
    ru.maxUnavailable ??= DEFAULT_DEPLOYMENT_MAX_UNAVAILABLE;
    ru.maxSurge ??= DEFAULT_DEPLOYMENT_MAX_SURGE;
  }
  spec.revisionHistoryLimit ??= DEFAULT_REVISION_HISTORY_LIMIT;
  spec.progressDeadlineSeconds ??= DEFAULT_PROGRESS_DEADLINE_SECONDS;
  const template = ensure<NonNullable<DeploymentSpec["template"]>>(spec, "template");
  defaultPodTemplateSpec(template);
}

/** Upstream `ValidateDeploymentStrategy`. */
function validateStrategy(strategy: DeploymentSpec["strategy"], path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = strategy?.type ?? "";
  if (type === "Recreate") {
    if (strategy?.rollingUpdate) causes.push(fieldError.forbidden(`${path}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === "RollingUpdate") {
    const ru = strategy?.rollingUpdate;
    if (!ru) {
      causes.push(fieldError.required(`${path}.rollingUpdate`, "this should be defaulted and never be nil"));
    } else {
      causes.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
      causes.push(...validatePositiveIntOrPercent(ru.maxSurge, `${path}.rollingUpdate.maxSurge`));
      if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
        causes.push(fieldError.invalid(`${path}.rollingUpdate.maxUnavailable`, ru.maxUnavailable ?? 0, "may not be 0 when `maxSurge` is 0"));
      }
      causes.push(...notMoreThan100Percent(ru.maxUnavailable, `${path}.rollingUpdate.maxUnavailable`));
    }
  } else {
    causes.push(fieldError.notSupported(path, strategy ?? {}, ["Recreate", "RollingUpdate"]));
  }
  return causes;
}

/**
 * Upstream `ValidateDeploymentSpec` (+ the apps/v1 selector immutability of the update strategy).
 *
 * @example validateDeployment(obj, undefined) // [] for a valid Deployment
 */
export function validateDeployment(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<DeploymentSpec>(obj);
  const causes: StatusCause[] = [];
  causes.push(...nonNegative(spec.replicas, "spec.replicas"));
  causes.push(...validateWorkloadSelector(spec.selector, spec.template, "spec", "empty selector is invalid for deployment"));
  causes.push(...validatePodTemplateSpec(spec.template, "spec.template"));
  const podSpec = spec.template?.spec;
  if ((podSpec?.restartPolicy ?? "") !== "Always") {
    causes.push(fieldError.notSupported("spec.template.spec.restartPolicy", podSpec?.restartPolicy ?? "", ["Always"]));
  }
  if (podSpec?.activeDeadlineSeconds !== undefined) {
    causes.push(fieldError.forbidden("spec.template.spec.activeDeadlineSeconds", "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
  causes.push(...validateStrategy(spec.strategy, "spec.strategy"));
  causes.push(...nonNegative(spec.minReadySeconds, "spec.minReadySeconds"));
  causes.push(...nonNegative(spec.revisionHistoryLimit, "spec.revisionHistoryLimit"));
  if (spec.progressDeadlineSeconds !== undefined) {
    causes.push(...nonNegative(spec.progressDeadlineSeconds, "spec.progressDeadlineSeconds"));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      causes.push(fieldError.invalid("spec.progressDeadlineSeconds", spec.progressDeadlineSeconds, "must be greater than minReadySeconds"));
    }
  }
  if (old) causes.push(...immutable(spec.selector, specOf<DeploymentSpec>(old).selector, "spec.selector"));
  return causes;
}

/** Upstream `ValidateDeploymentStatus` (used for writes to /status). */
export function validateDeploymentStatus(obj: KubeObject): StatusCause[] {
  const st = statusOf<DeploymentStatus>(obj);
  const causes: StatusCause[] = [];
  for (const f of ["observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount"] as const) {
    causes.push(...nonNegative(st[f], `status.${f}`));
  }
  const replicas = st.replicas ?? 0;
  const msg = "cannot be greater than status.replicas";
  if ((st.updatedReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.updatedReplicas", st.updatedReplicas, msg));
  if ((st.readyReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.readyReplicas", st.readyReplicas, msg));
  if ((st.availableReplicas ?? 0) > replicas) causes.push(fieldError.invalid("status.availableReplicas", st.availableReplicas, msg));
  if ((st.availableReplicas ?? 0) > (st.readyReplicas ?? 0)) causes.push(fieldError.invalid("status.availableReplicas", st.availableReplicas, "cannot be greater than readyReplicas"));
  return causes;
}

export const deployments: ResourceType = resourceType({
  group: "apps",
  version: "v1",
  kind: "Deployment",
  plural: "deployments",
  namespaced: true,
  shortNames: ["deploy"],
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE, SCALE_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Ready", "string", "Number of the pod with ready state"),
      column("Up-to-date", "string", "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
      column("Available", "string", "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column("Selector", "string", "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template's labels.", 1),
    ],
    cells(obj, now) {
      const d = obj as unknown as Deployment;
      const [names, images] = containerCells(d.spec?.template?.spec);
      return [
        d.metadata?.name ?? "",
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(obj, now),
        names,
        images,
        selectorString(d.spec?.selector),
      ];
    },
  },
  defaults: defaultDeployment,
  validate(obj: KubeObject, old: KubeObject | undefined, ctx: HookContext): StatusCause[] {
    return ctx.subresource === "status" ? validateDeploymentStatus(obj) : validateDeployment(obj, old);
  },
  prepareForCreate(obj) {
    obj.status = {};
  },
});
