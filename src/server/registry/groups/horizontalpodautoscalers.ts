/**
 * autoscaling/v2 (preferred) and autoscaling/v1 HorizontalPodAutoscaler. Both versions serve the same
 * objects; like upstream, the storage version is v2 and v1 is converted on the way in and out (v2-only
 * fields ride in `autoscaling.alpha.kubernetes.io/*` annotations on v1 objects, see hpa-v1-annotations.ts). Defaults
 * (pkg/apis/autoscaling/v2/defaults.go), validation (pkg/apis/autoscaling/validation, applied to the
 * v2 form as upstream applies it to the internal form) and table (`printHorizontalPodAutoscaler`).
 */
import type { HorizontalPodAutoscaler as HPAV1 } from "kubernetes-types/autoscaling/v1.js";
import type {
  HorizontalPodAutoscaler as HPAV2,
  HorizontalPodAutoscalerSpec,
  HPAScalingRules,
  MetricSpec,
  MetricStatus,
  MetricTarget,
} from "kubernetes-types/autoscaling/v2.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Label, nameIsValidPathSegment } from "../../../shared/api/validation.js";
import { parseQuantity } from "../core-v1/quantity.js";
import { metricSpecFromV1, metricSpecToV1, metricStatusFromV1, metricStatusToV1, type V1MetricSpec, type V1MetricStatus } from "./hpa-v1-annotations.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { STATUS_SUBRESOURCE, column, ensure, nonNegative, specOf } from "./common.js";

/** CPU utilization the HPA targets when no metric is given (upstream `DefaultCPUUtilization`). */
export const DEFAULT_CPU_UTILIZATION = 80;
/** Upstream scale-up defaults: at most +4 pods or +100% per 15 s, no stabilization. */
const SCALE_UP_DEFAULTS: HPAScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: "Max",
  policies: [
    { type: "Pods", value: 4, periodSeconds: 15 },
    { type: "Percent", value: 100, periodSeconds: 15 },
  ],
};
/** Upstream scale-down defaults: up to -100% per 15 s; the window stays unset (the controller's flag decides, 300 s). */
const SCALE_DOWN_DEFAULTS: HPAScalingRules = { selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] };
/** Upstream `MaxStabilizationWindowSeconds` and `MaxPeriodSeconds`. */
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
const MAX_PERIOD_SECONDS = 1800;
/** The Targets column shows at most two metrics before "+ N more...". */
const MAX_METRICS_SHOWN = 2;
/** Enumerations as upstream lists them in NotSupported messages (sorted sets). */
const METRIC_SOURCE_TYPES = ["ContainerResource", "External", "Object", "Pods", "Resource"];
const SELECT_POLICIES = ["Disabled", "Max", "Min"];
const SCALING_POLICY_TYPES = ["Percent", "Pods"];
/** HPAScaleToZero is alpha and off upstream, so minReplicas must be at least 1. */
const MIN_REPLICAS_LOWER_BOUND = 1;
const SOURCE_FIELD: Readonly<Record<string, keyof MetricSpec>> = {
  Object: "object",
  Pods: "pods",
  Resource: "resource",
  External: "external",
  ContainerResource: "containerResource",
};

/** Annotations that carry v2-only data on autoscaling/v1 objects (upstream names). */
export const HPA_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/metrics";
export const HPA_CURRENT_METRICS_ANNOTATION = "autoscaling.alpha.kubernetes.io/current-metrics";
export const HPA_CONDITIONS_ANNOTATION = "autoscaling.alpha.kubernetes.io/conditions";
export const HPA_BEHAVIOR_ANNOTATION = "autoscaling.alpha.kubernetes.io/behavior";

function fillRules(rules: HPAScalingRules | undefined, defaults: HPAScalingRules): HPAScalingRules {
  const out = structuredClone(defaults);
  if (!rules) return out;
  if (rules.selectPolicy !== undefined) out.selectPolicy = rules.selectPolicy;
  if (rules.stabilizationWindowSeconds !== undefined) out.stabilizationWindowSeconds = rules.stabilizationWindowSeconds;
  if (rules.policies !== undefined) out.policies = rules.policies;
  return out;
}

/**
 * Upstream autoscaling/v2 defaults: minReplicas 1, a CPU 80% target when no metric is given, and every
 * unset scaling rule filled when `behavior` is present.
 *
 * @example defaultHPAv2(hpa); // hpa.spec.minReplicas === 1
 */
export function defaultHPAv2(obj: KubeObject): void {
  const spec = ensure<HorizontalPodAutoscalerSpec>(obj, "spec");
  spec.minReplicas ??= 1;
  if (!spec.metrics || spec.metrics.length === 0) {
    spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (spec.behavior) {
    spec.behavior.scaleUp = fillRules(spec.behavior.scaleUp, SCALE_UP_DEFAULTS);
    spec.behavior.scaleDown = fillRules(spec.behavior.scaleDown, SCALE_DOWN_DEFAULTS);
  }
}

/** Upstream autoscaling/v1 defaults: minReplicas 1. */
export function defaultHPAv1(obj: KubeObject): void {
  ensure<{ minReplicas?: number }>(obj, "spec").minReplicas ??= 1;
}

function parseJSONAnnotation<T>(annotations: Record<string, string>, key: string): T | undefined {
  const text = annotations[key];
  if (text === undefined) return undefined;
  delete annotations[key];
  try {
    return JSON.parse(text) as T;
  } catch {
    return undefined;
  }
}

function isCPUUtilization(m: MetricSpec): boolean {
  return m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.averageUtilization !== undefined;
}

/**
 * autoscaling/v1 → autoscaling/v2, as upstream converts through the internal type: metrics from the
 * annotation first, then the CPU target; with no metric at all, v1's implicit CPU 80% target; current
 * metrics from the annotation replace the CPU-only status.
 *
 * @example hpaV1ToV2({ apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { name: "web" }, spec: { maxReplicas: 5, targetCPUUtilizationPercentage: 50, scaleTargetRef: { kind: "Deployment", name: "web" } } })
 */
export function hpaV1ToV2(obj: KubeObject): KubeObject {
  const v1 = structuredClone(obj) as unknown as HPAV1;
  const annotations: Record<string, string> = { ...(v1.metadata?.annotations ?? {}) };
  const metrics: MetricSpec[] = (parseJSONAnnotation<V1MetricSpec[]>(annotations, HPA_METRICS_ANNOTATION) ?? []).map(metricSpecFromV1);
  if (v1.spec?.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: v1.spec.targetCPUUtilizationPercentage } } });
  }
  if (metrics.length === 0) {
    metrics.push({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } });
  }
  const behavior = parseJSONAnnotation<HorizontalPodAutoscalerSpec["behavior"]>(annotations, HPA_BEHAVIOR_ANNOTATION);
  let currentMetrics: MetricStatus[] = [];
  if (v1.status?.currentCPUUtilizationPercentage !== undefined) {
    currentMetrics = [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: v1.status.currentCPUUtilizationPercentage } } }];
  }
  const annotated = parseJSONAnnotation<V1MetricStatus[]>(annotations, HPA_CURRENT_METRICS_ANNOTATION);
  if (annotated) currentMetrics = annotated.map(metricStatusFromV1);
  const conditions = parseJSONAnnotation<NonNullable<HPAV2["status"]>["conditions"]>(annotations, HPA_CONDITIONS_ANNOTATION);
  const metadata = { ...v1.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  const out: HPAV2 = { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata };
  const spec: HorizontalPodAutoscalerSpec = { scaleTargetRef: v1.spec?.scaleTargetRef as HorizontalPodAutoscalerSpec["scaleTargetRef"], maxReplicas: v1.spec?.maxReplicas as number };
  if (v1.spec?.minReplicas !== undefined) spec.minReplicas = v1.spec.minReplicas;
  spec.metrics = metrics;
  if (behavior) spec.behavior = behavior;
  out.spec = spec;
  if (v1.status) {
    const st = v1.status;
    out.status = { desiredReplicas: st.desiredReplicas, currentReplicas: st.currentReplicas };
    if (st.observedGeneration !== undefined) out.status.observedGeneration = st.observedGeneration;
    if (st.lastScaleTime !== undefined) out.status.lastScaleTime = st.lastScaleTime;
    if (currentMetrics.length) out.status.currentMetrics = currentMetrics;
    if (conditions) out.status.conditions = conditions;
  }
  return out as unknown as KubeObject;
}

/**
 * autoscaling/v2 → autoscaling/v1: the first CPU utilization target becomes
 * `targetCPUUtilizationPercentage`; the other metrics, all current metrics (raw values included), the
 * conditions and the behavior go into the `autoscaling.alpha.kubernetes.io/*` annotations.
 *
 * @example hpaV2ToV1(storedHpa).spec.targetCPUUtilizationPercentage
 */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const v2 = structuredClone(obj) as unknown as HPAV2;
  const annotations: Record<string, string> = { ...(v2.metadata?.annotations ?? {}) };
  const out: HPAV1 = { apiVersion: "autoscaling/v1", kind: "HorizontalPodAutoscaler", metadata: { ...v2.metadata } };
  if (v2.spec) {
    const metrics = v2.spec.metrics ?? [];
    const cpu = metrics.find((m) => m.type === "Resource" && m.resource?.name === "cpu");
    const others = metrics.filter((m) => !isCPUUtilization(m));
    out.spec = { scaleTargetRef: v2.spec.scaleTargetRef, maxReplicas: v2.spec.maxReplicas };
    if (v2.spec.minReplicas !== undefined) out.spec.minReplicas = v2.spec.minReplicas;
    if (cpu?.resource?.target?.averageUtilization !== undefined) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
    if (others.length) annotations[HPA_METRICS_ANNOTATION] = JSON.stringify(others.map(metricSpecToV1));
    if (v2.spec.behavior) annotations[HPA_BEHAVIOR_ANNOTATION] = JSON.stringify(v2.spec.behavior);
  }
  if (v2.status) {
    const st = v2.status;
    const current = st.currentMetrics ?? [];
    out.status = { desiredReplicas: st.desiredReplicas, currentReplicas: st.currentReplicas ?? 0 };
    if (st.observedGeneration !== undefined) out.status.observedGeneration = st.observedGeneration;
    if (st.lastScaleTime !== undefined) out.status.lastScaleTime = st.lastScaleTime;
    for (const m of current) {
      if (m.type === "Resource" && m.resource?.name === "cpu" && m.resource.current?.averageUtilization !== undefined) {
        out.status.currentCPUUtilizationPercentage = m.resource.current.averageUtilization;
      }
    }
    // Upstream keeps every current metric, CPU included, so the raw values survive the trip.
    if (current.length) annotations[HPA_CURRENT_METRICS_ANNOTATION] = JSON.stringify(current.map(metricStatusToV1));
    if (st.conditions?.length) annotations[HPA_CONDITIONS_ANNOTATION] = JSON.stringify(st.conditions);
  }
  if (Object.keys(annotations).length) out.metadata!.annotations = annotations;
  return out as unknown as KubeObject;
}

function positiveQuantity(q: string | number | undefined, path: string): StatusCause[] {
  if (q === undefined) return [];
  const n = parseQuantity(q);
  return n === undefined || n <= 0 ? [fieldError.invalid(path, q, "must be positive")] : [];
}

/** Upstream `validateMetricTarget`. */
function validateMetricTarget(t: MetricTarget | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = t?.type ?? "";
  if (!type) causes.push(fieldError.required(`${path}.type`, "must specify a metric target type"));
  if (!["Utilization", "Value", "AverageValue"].includes(type)) causes.push(fieldError.invalid(`${path}.type`, type, "must be either Utilization, Value, or AverageValue"));
  causes.push(...positiveQuantity(t?.value, `${path}.value`));
  causes.push(...positiveQuantity(t?.averageValue, `${path}.averageValue`));
  if (t?.averageUtilization !== undefined && t.averageUtilization < 1) causes.push(fieldError.invalid(`${path}.averageUtilization`, t.averageUtilization, "must be greater than 0"));
  return causes;
}

/** Upstream `validateMetricIdentifier`. */
function validateMetricIdentifier(name: string | undefined, path: string): StatusCause[] {
  if (!name) return [fieldError.required(`${path}.name`, "must specify a metric name")];
  return nameIsValidPathSegment(name, false).map((msg) => fieldError.invalid(`${path}.name`, name, msg));
}

/** Upstream `ValidateCrossVersionObjectReference` (scaleTargetRef, describedObject). */
function validateCrossVersionObjectReference(ref: { kind?: string; name?: string } | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const f of ["kind", "name"] as const) {
    const v = ref?.[f] ?? "";
    if (!v) causes.push(fieldError.required(`${path}.${f}`));
    else for (const msg of nameIsValidPathSegment(v, false)) causes.push(fieldError.invalid(`${path}.${f}`, v, msg));
  }
  return causes;
}

/** Resource and ContainerResource targets: exactly one of averageUtilization / averageValue. */
function validateUtilizationOrValue(t: MetricTarget | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (t?.averageUtilization === undefined && t?.averageValue === undefined) causes.push(fieldError.required(`${path}.averageUtilization`, "must set either a target raw value or a target utilization"));
  if (t?.averageUtilization !== undefined && t.averageValue !== undefined) causes.push(fieldError.forbidden(`${path}.averageValue`, "may not set both a target raw value and a target utilization"));
  return causes;
}

/** The validator of one metric source, by its field name. */
function validateSource(m: MetricSpec, field: keyof MetricSpec, path: string): StatusCause[] {
  const p = `${path}.${field}`;
  switch (field) {
    case "object":
      return [
        ...validateCrossVersionObjectReference(m.object!.describedObject, `${p}.describedObject`),
        ...validateMetricIdentifier(m.object!.metric?.name, `${p}.metric`),
        ...validateMetricTarget(m.object!.target, `${p}.target`),
        ...(m.object!.target?.value === undefined && m.object!.target?.averageValue === undefined
          ? [fieldError.required(`${p}.target.averageValue`, "must set either a target value or averageValue")]
          : []),
      ];
    case "external": {
      const t = m.external!.target;
      const causes = [...validateMetricIdentifier(m.external!.metric?.name, `${p}.metric`), ...validateMetricTarget(t, `${p}.target`)];
      if (t?.value === undefined && t?.averageValue === undefined) causes.push(fieldError.required(`${p}.target.averageValue`, "must set either a target value for metric or a per-pod target"));
      if (t?.value !== undefined && t.averageValue !== undefined) causes.push(fieldError.forbidden(`${p}.target.value`, "may not set both a target value for metric and a per-pod target"));
      return causes;
    }
    case "pods":
      return [
        ...validateMetricIdentifier(m.pods!.metric?.name, `${p}.metric`),
        ...validateMetricTarget(m.pods!.target, `${p}.target`),
        ...(m.pods!.target?.averageValue === undefined ? [fieldError.required(`${p}.target.averageValue`, "must specify a positive target averageValue")] : []),
      ];
    case "resource": {
      const causes: StatusCause[] = m.resource!.name ? [] : [fieldError.required(`${p}.name`, "must specify a resource name")];
      return [...causes, ...validateMetricTarget(m.resource!.target, `${p}.target`), ...validateUtilizationOrValue(m.resource!.target, `${p}.target`)];
    }
    case "containerResource": {
      const src = m.containerResource!;
      const causes: StatusCause[] = [];
      if (!src.name) causes.push(fieldError.required(`${p}.name`, "must specify a resource name"));
      if (!src.container) causes.push(fieldError.required(`${p}.container`, "must specify a container"));
      else for (const msg of isDNS1123Label(src.container)) causes.push(fieldError.invalid(`${p}.container`, src.container, msg));
      return [...causes, ...validateMetricTarget(src.target, `${p}.target`), ...validateUtilizationOrValue(src.target, `${p}.target`)];
    }
    default:
      return [];
  }
}

/** Upstream `validateMetricSpec`: the type names one source, which must be the only one set. */
function validateMetricSpec(m: MetricSpec, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const type = m.type ?? "";
  if (!type) causes.push(fieldError.required(`${path}.type`, "must specify a metric source type"));
  if (!METRIC_SOURCE_TYPES.includes(type)) causes.push(fieldError.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES));
  // Upstream validates the first present source in this order and reports the others below.
  const present = (["object", "external", "pods", "resource", "containerResource"] as const).filter((f) => m[f] !== undefined);
  if (present.length) causes.push(...validateSource(m, present[0]!, path));
  const expected = SOURCE_FIELD[type];
  if (!expected) causes.push(fieldError.notSupported(`${path}.type`, type, METRIC_SOURCE_TYPES)); // upstream repeats it from its switch default
  else if (m[expected] === undefined) causes.push(fieldError.required(`${path}.${expected}`, "must populate information for the given metric source"));
  if (present.length !== 1) {
    for (const f of present) if (f !== expected) causes.push(fieldError.forbidden(`${path}.${f}`, "must populate the given metric source only"));
  }
  return causes;
}

function validateScalingRules(rules: HPAScalingRules | undefined, path: string): StatusCause[] {
  if (!rules) return [];
  const causes: StatusCause[] = [];
  const w = rules.stabilizationWindowSeconds;
  if (w !== undefined && w < 0) causes.push(fieldError.invalid(`${path}.stabilizationWindowSeconds`, w, "must be greater than or equal to zero"));
  if (w !== undefined && w > MAX_STABILIZATION_WINDOW_SECONDS) causes.push(fieldError.invalid(`${path}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  if (rules.selectPolicy !== undefined && !SELECT_POLICIES.includes(rules.selectPolicy)) {
    causes.push(fieldError.notSupported(`${path}.selectPolicy`, rules.selectPolicy, SELECT_POLICIES));
  }
  const policies = rules.policies ?? [];
  if (policies.length === 0) causes.push(fieldError.required(`${path}.policies`, "must specify at least one Policy"));
  policies.forEach((p, i) => {
    const pp = `${path}.policies[${i}]`;
    if (p.type !== "Pods" && p.type !== "Percent") causes.push(fieldError.notSupported(`${pp}.type`, p.type, SCALING_POLICY_TYPES));
    if (!(p.value > 0)) causes.push(fieldError.invalid(`${pp}.value`, p.value, "must be greater than zero"));
    if (!(p.periodSeconds > 0)) causes.push(fieldError.invalid(`${pp}.periodSeconds`, p.periodSeconds, "must be greater than zero"));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) causes.push(fieldError.invalid(`${pp}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return causes;
}

/**
 * Upstream `validateHorizontalPodAutoscalerSpec`, on the v2 form.
 *
 * @example validateHPAv2(hpa) // [] for a valid autoscaler
 */
export function validateHPAv2(obj: KubeObject): StatusCause[] {
  const spec = specOf<Partial<HorizontalPodAutoscalerSpec>>(obj);
  const causes: StatusCause[] = [];
  if (spec.minReplicas !== undefined && spec.minReplicas < MIN_REPLICAS_LOWER_BOUND) {
    causes.push(fieldError.invalid("spec.minReplicas", spec.minReplicas, `must be greater than or equal to ${MIN_REPLICAS_LOWER_BOUND}`));
  }
  const max = spec.maxReplicas ?? 0;
  if (max < 1) causes.push(fieldError.invalid("spec.maxReplicas", max, "must be greater than 0"));
  if (spec.minReplicas !== undefined && max < spec.minReplicas) causes.push(fieldError.invalid("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  causes.push(...validateCrossVersionObjectReference(spec.scaleTargetRef, "spec.scaleTargetRef"));
  const metrics = spec.metrics ?? [];
  metrics.forEach((m, i) => causes.push(...validateMetricSpec(m, `spec.metrics[${i}]`)));
  if (spec.minReplicas === 0 && !metrics.some((m) => m.type === "Object" || m.type === "External")) {
    causes.push(fieldError.forbidden("spec.metrics", "must specify at least one Object or External metric to support scaling to zero replicas"));
  }
  if (spec.behavior) {
    causes.push(...validateScalingRules(spec.behavior.scaleUp, "spec.behavior.scaleUp"));
    causes.push(...validateScalingRules(spec.behavior.scaleDown, "spec.behavior.scaleDown"));
  }
  return causes;
}

/** Upstream `ValidateHorizontalPodAutoscalerStatusUpdate`. */
export function validateHPAStatus(obj: KubeObject): StatusCause[] {
  const st = (obj.status ?? {}) as { currentReplicas?: number; desiredReplicas?: number };
  return [...nonNegative(st.currentReplicas, "status.currentReplicas"), ...nonNegative(st.desiredReplicas, "status.desiredReplicas")];
}

/** A quantity as the Targets column shows it. */
function q(v: string | number | undefined): string {
  return v === undefined ? "<unknown>" : String(v);
}

/** One metric of the Targets column (upstream `formatHPAMetrics`). */
function metricText(spec: MetricSpec, status: MetricStatus | undefined): string {
  switch (spec.type) {
    case "External":
    case "Object": {
      const src = spec.type === "External" ? spec.external : spec.object;
      const cur = spec.type === "External" ? status?.external?.current : status?.object?.current;
      if (src?.target?.averageValue !== undefined) return `${cur?.averageValue !== undefined ? q(cur.averageValue) : "<unknown>"}/${q(src.target.averageValue)} (avg)`;
      return `${cur ? q(cur.value) : "<unknown>"}/${q(src?.target?.value)}`;
    }
    case "Pods":
      return `${status?.pods ? q(status.pods.current?.averageValue) : "<unknown>"}/${q(spec.pods?.target?.averageValue)}`;
    case "Resource":
    case "ContainerResource": {
      const src = spec.type === "Resource" ? spec.resource : spec.containerResource;
      const cur = spec.type === "Resource" ? status?.resource : status?.containerResource;
      const name = src?.name ?? "";
      if (src?.target?.averageValue !== undefined) return `${name}: ${cur ? q(cur.current?.averageValue) : "<unknown>"}/${q(src.target.averageValue)}`;
      const current = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : "<unknown>";
      const target = src?.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : "<auto>";
      return `${name}: ${current}/${target}`;
    }
    default:
      return "<unknown type>";
  }
}

/** The Targets cell: "cpu: 35%/80%", at most two metrics then "+ N more...", "<none>" without metrics. */
export function hpaTargetsText(hpa: HPAV2): string {
  const specs = hpa.spec?.metrics ?? [];
  if (specs.length === 0) return "<none>";
  const statuses = hpa.status?.currentMetrics ?? [];
  const list = specs.map((s, i) => metricText(s, statuses[i]));
  const shown = list.slice(0, MAX_METRICS_SHOWN).join(", ");
  return list.length > MAX_METRICS_SHOWN ? `${shown} + ${list.length - MAX_METRICS_SHOWN} more...` : shown;
}

const HPA_COLUMNS = [
  NAME_COLUMN,
  column("Reference", "string", "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count."),
  column("Targets", "string", "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond."),
  column("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available."),
  column("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas."),
  column("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
  AGE_COLUMN,
];

function hpaCells(hpa: HPAV2, obj: KubeObject, now: number): (string | number)[] {
  const ref = hpa.spec?.scaleTargetRef;
  return [
    hpa.metadata?.name ?? "",
    `${ref?.kind ?? ""}/${ref?.name ?? ""}`,
    hpaTargetsText(hpa),
    hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : "<unset>",
    hpa.spec?.maxReplicas ?? 0,
    hpa.status?.currentReplicas ?? 0,
    age(obj, now),
  ];
}

const HPA_COMMON = {
  group: "autoscaling",
  kind: "HorizontalPodAutoscaler",
  plural: "horizontalpodautoscalers",
  namespaced: true,
  shortNames: ["hpa"],
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  prepareForCreate(obj: KubeObject) {
    obj.status = {};
  },
} as const;

/** autoscaling/v2, the storage version. */
export const horizontalpodautoscalersV2: ResourceType = resourceType({
  ...HPA_COMMON,
  shortNames: [...HPA_COMMON.shortNames],
  categories: [...HPA_COMMON.categories],
  subresources: [...HPA_COMMON.subresources],
  version: "v2",
  table: { columns: HPA_COLUMNS, cells: (obj, now) => hpaCells(obj as unknown as HPAV2, obj, now) },
  defaults: defaultHPAv2,
  validate: (obj, _old, ctx) => (ctx.subresource === "status" ? validateHPAStatus(obj) : validateHPAv2(obj)),
});

/** autoscaling/v1, served from the v2 storage through `sharedStorage`. */
export const horizontalpodautoscalersV1: ResourceType = {
  ...resourceType({
    ...HPA_COMMON,
    shortNames: [...HPA_COMMON.shortNames],
    categories: [...HPA_COMMON.categories],
    subresources: [...HPA_COMMON.subresources],
    version: "v1",
    table: { columns: HPA_COLUMNS, cells: (obj, now) => hpaCells(hpaV1ToV2(obj) as unknown as HPAV2, obj, now) },
    defaults: defaultHPAv1,
    // Upstream validates the internal form, so v1 requests get the same field paths as v2 ones.
    validate: (obj, _old, ctx) => (ctx.subresource === "status" ? validateHPAStatus(obj) : validateHPAv2(hpaV1ToV2(obj))),
  }),
  sharedStorage: { group: "autoscaling", version: "v2", plural: "horizontalpodautoscalers", toStorage: hpaV1ToV2, fromStorage: hpaV2ToV1 },
};

