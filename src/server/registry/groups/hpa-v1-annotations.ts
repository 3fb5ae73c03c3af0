/**
 * The autoscaling/v1 annotation format for what v1 cannot express (upstream
 * pkg/apis/autoscaling/v1/conversion.go): non-CPU metric specs and all current metrics are stored
 * as JSON arrays of the v1 `MetricSpec` / `MetricStatus` shapes (the old v2beta1 style:
 * `targetAverageUtilization`, `currentAverageValue`, …), so clients of either version see the same data.
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import type { CrossVersionObjectReference, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from "kubernetes-types/autoscaling/v2.js";

/** A Go zero `resource.Quantity` marshals as "0"; v1 uses it for required quantities that are unset. */
const ZERO_QUANTITY = "0";

/** Quantities travel as strings ("500Mi"), as in kubernetes-types. */
type Quantity = string;

/** autoscaling/v1 `MetricSpec` (annotation-only type, not in the OpenAPI). */
export interface V1MetricSpec {
  type: string;
  object?: { target: CrossVersionObjectReference; metricName: string; targetValue: Quantity; selector?: LabelSelector; averageValue?: Quantity };
  pods?: { metricName: string; targetAverageValue: Quantity; selector?: LabelSelector };
  resource?: { name: string; targetAverageUtilization?: number; targetAverageValue?: Quantity };
  containerResource?: { name: string; container: string; targetAverageUtilization?: number; targetAverageValue?: Quantity };
  external?: { metricName: string; metricSelector?: LabelSelector; targetValue?: Quantity; targetAverageValue?: Quantity };
}

/** autoscaling/v1 `MetricStatus` (annotation-only type). */
export interface V1MetricStatus {
  type: string;
  object?: { target: CrossVersionObjectReference; metricName: string; currentValue: Quantity; selector?: LabelSelector; averageValue?: Quantity };
  pods?: { metricName: string; currentAverageValue: Quantity; selector?: LabelSelector };
  resource?: { name: string; currentAverageUtilization?: number; currentAverageValue: Quantity };
  containerResource?: { name: string; container: string; currentAverageUtilization?: number; currentAverageValue: Quantity };
  external?: { metricName: string; metricSelector?: LabelSelector; currentValue: Quantity; currentAverageValue?: Quantity };
}

/** Copies only the keys whose values are defined (Go's omitempty on pointers). */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/**
 * v2 metric spec → v1 annotation entry.
 *
 * @example metricSpecToV1({ type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } })
 *   // { type: "Pods", pods: { metricName: "rps", targetAverageValue: "10" } }
 */
export function metricSpecToV1(m: MetricSpec): V1MetricSpec {
  const out: V1MetricSpec = { type: m.type };
  if (m.object) {
    out.object = defined({
      target: m.object.describedObject,
      metricName: m.object.metric.name,
      targetValue: m.object.target.value ?? ZERO_QUANTITY,
      selector: m.object.metric.selector,
      averageValue: m.object.target.averageValue,
    });
  }
  if (m.pods) out.pods = defined({ metricName: m.pods.metric.name, targetAverageValue: m.pods.target.averageValue ?? ZERO_QUANTITY, selector: m.pods.metric.selector });
  if (m.resource) out.resource = defined({ name: m.resource.name, targetAverageUtilization: m.resource.target.averageUtilization, targetAverageValue: m.resource.target.averageValue });
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = defined({ name: c.name, container: c.container, targetAverageUtilization: c.target.averageUtilization, targetAverageValue: c.target.averageValue });
  }
  if (m.external) {
    const e = m.external;
    out.external = defined({ metricName: e.metric.name, metricSelector: e.metric.selector, targetValue: e.target.value, targetAverageValue: e.target.averageValue });
  }
  return out;
}

/** Target of a resource metric: Utilization when a utilization is given, else AverageValue (upstream). */
function resourceTarget(utilization: number | undefined, averageValue: Quantity | undefined): MetricTarget {
  return defined({ type: utilization !== undefined ? "Utilization" : "AverageValue", averageUtilization: utilization, averageValue });
}

/** v1 annotation entry → v2 metric spec. */
export function metricSpecFromV1(m: V1MetricSpec): MetricSpec {
  const out: MetricSpec = { type: m.type };
  if (m.object) {
    const o = m.object;
    const target: MetricTarget = o.averageValue !== undefined ? { type: "AverageValue", averageValue: o.averageValue } : { type: "Value", value: o.targetValue };
    out.object = { describedObject: o.target, metric: defined({ name: o.metricName, selector: o.selector }), target };
  }
  if (m.pods) out.pods = { metric: defined({ name: m.pods.metricName, selector: m.pods.selector }), target: { type: "AverageValue", averageValue: m.pods.targetAverageValue } };
  if (m.resource) out.resource = { name: m.resource.name, target: resourceTarget(m.resource.targetAverageUtilization, m.resource.targetAverageValue) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, container: c.container, target: resourceTarget(c.targetAverageUtilization, c.targetAverageValue) };
  }
  if (m.external) {
    const e = m.external;
    const target: MetricTarget = e.targetAverageValue !== undefined ? { type: "AverageValue", averageValue: e.targetAverageValue } : defined({ type: "Value", value: e.targetValue });
    out.external = { metric: defined({ name: e.metricName, selector: e.metricSelector }), target };
  }
  return out;
}

/** v2 current metric → v1 annotation entry. */
export function metricStatusToV1(m: MetricStatus): V1MetricStatus {
  const out: V1MetricStatus = { type: m.type };
  if (m.object) {
    const o = m.object;
    out.object = defined({ target: o.describedObject, metricName: o.metric.name, currentValue: o.current.value ?? ZERO_QUANTITY, selector: o.metric.selector, averageValue: o.current.averageValue });
  }
  if (m.pods) out.pods = defined({ metricName: m.pods.metric.name, currentAverageValue: m.pods.current.averageValue ?? ZERO_QUANTITY, selector: m.pods.metric.selector });
  if (m.resource) {
    const r = m.resource;
    out.resource = defined({ name: r.name, currentAverageUtilization: r.current.averageUtilization, currentAverageValue: r.current.averageValue ?? ZERO_QUANTITY });
  }
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = defined({ name: c.name, container: c.container, currentAverageUtilization: c.current.averageUtilization, currentAverageValue: c.current.averageValue ?? ZERO_QUANTITY });
  }
  if (m.external) {
    const e = m.external;
    out.external = defined({ metricName: e.metric.name, metricSelector: e.metric.selector, currentValue: e.current.value ?? ZERO_QUANTITY, currentAverageValue: e.current.averageValue });
  }
  return out;
}

/** v1 annotation entry → v2 current metric. */
export function metricStatusFromV1(m: V1MetricStatus): MetricStatus {
  const out: MetricStatus = { type: m.type };
  const current = (v: MetricValueStatus): MetricValueStatus => defined(v);
  if (m.object) {
    const o = m.object;
    out.object = { describedObject: o.target, metric: defined({ name: o.metricName, selector: o.selector }), current: current({ value: o.currentValue, averageValue: o.averageValue }) };
  }
  if (m.pods) out.pods = { metric: defined({ name: m.pods.metricName, selector: m.pods.selector }), current: { averageValue: m.pods.currentAverageValue } };
  if (m.resource) out.resource = { name: m.resource.name, current: current({ averageUtilization: m.resource.currentAverageUtilization, averageValue: m.resource.currentAverageValue }) };
  if (m.containerResource) {
    const c = m.containerResource;
    out.containerResource = { name: c.name, container: c.container, current: current({ averageUtilization: c.currentAverageUtilization, averageValue: c.currentAverageValue }) };
  }
  if (m.external) {
    const e = m.external;
    out.external = { metric: defined({ name: e.metricName, selector: e.metricSelector }), current: current({ value: e.currentValue, averageValue: e.currentAverageValue }) };
  }
  return out;
}
