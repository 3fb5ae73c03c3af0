/**
 * LimitRanges (core/v1): per-namespace defaults and bounds for container, pod and claim resources.
 * Defaults and ordering checks after upstream `SetDefaults_LimitRangeItem` and `ValidateLimitRange`.
 * Upstream has no printer for them, so the table is the apiserver default: Name, Created At.
 */
import type { LimitRangeItem, LimitRangeSpec } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { NAME_COLUMN } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column } from "./columns.js";
import { parseQuantity } from "./quantity.js";
import { validateResourceList } from "./resourcequotas.js";

type Quantities = Record<string, string | number>;

function limitsOf(obj: KubeObject): LimitRangeItem[] {
  return ((obj.spec ?? {}) as LimitRangeSpec).limits ?? [];
}

/** Container items: default limit ← max, default request ← default limit, then ← min (upstream). */
function defaultItem(item: LimitRangeItem): void {
  if (item.type !== "Container") return;
  const def = (item.default ??= {});
  const req = (item.defaultRequest ??= {});
  for (const [k, v] of Object.entries(item.max ?? {})) if (def[k] === undefined) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (req[k] === undefined) req[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (req[k] === undefined) req[k] = v;
}

function validateItem(item: LimitRangeItem, p: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!item.type) errs.push(fieldError.required(`${p}.type`));
  for (const f of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) {
    errs.push(...validateResourceList(item[f] as Quantities | undefined, `${p}.${f}`));
  }
  if (item.type === "Pod") {
    if (item.default && Object.keys(item.default).length) errs.push(fieldError.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
    if (item.defaultRequest && Object.keys(item.defaultRequest).length) errs.push(fieldError.forbidden(`${p}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
  }
  const q = (m: Quantities | undefined, k: string) => (m?.[k] === undefined ? undefined : parseQuantity(m[k]!));
  const names = new Set([...Object.keys(item.max ?? {}), ...Object.keys(item.min ?? {}), ...Object.keys(item.default ?? {}), ...Object.keys(item.defaultRequest ?? {})]);
  for (const k of names) {
    const [max, min, def, req] = [q(item.max, k), q(item.min, k), q(item.default, k), q(item.defaultRequest, k)];
    const s = (m: Quantities | undefined) => String(m?.[k]);
    if (min !== undefined && max !== undefined && min > max) errs.push(fieldError.invalid(`${p}.min[${k}]`, item.min![k], `min value ${s(item.min)} is greater than max value ${s(item.max)}`));
    if (req !== undefined && max !== undefined && req > max) errs.push(fieldError.invalid(`${p}.defaultRequest[${k}]`, item.defaultRequest![k], `default request value ${s(item.defaultRequest)} is greater than max value ${s(item.max)}`));
    if (req !== undefined && min !== undefined && min > req) errs.push(fieldError.invalid(`${p}.defaultRequest[${k}]`, item.defaultRequest![k], `min value ${s(item.min)} is greater than default request value ${s(item.defaultRequest)}`));
    if (def !== undefined && max !== undefined && def > max) errs.push(fieldError.invalid(`${p}.default[${k}]`, item.default![k], `default value ${s(item.default)} is greater than max value ${s(item.max)}`));
    if (def !== undefined && min !== undefined && min > def) errs.push(fieldError.invalid(`${p}.default[${k}]`, item.default![k], `min value ${s(item.min)} is greater than default value ${s(item.default)}`));
    if (req !== undefined && def !== undefined && req > def) errs.push(fieldError.invalid(`${p}.defaultRequest[${k}]`, item.defaultRequest![k], `default request value ${s(item.defaultRequest)} is greater than default limit value ${s(item.default)}`));
  }
  return errs;
}

export const limitRanges: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "LimitRange",
  plural: "limitranges",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["limits"],
  table: {
    columns: [NAME_COLUMN, column("Created At", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0, "date")],
    cells: (obj) => [obj.metadata.name ?? "", obj.metadata.creationTimestamp ?? null],
  },
  defaults(obj) {
    for (const item of limitsOf(obj)) defaultItem(item);
  },
  validate(obj) {
    const errs: StatusCause[] = [];
    limitsOf(obj).forEach((item, i) => errs.push(...validateItem(item, `spec.limits[${i}]`)));
    return errs;
  },
});
