/**
 * Helpers shared by the registry entries of the non-core API groups: subresource specs, column
 * builders, and the checks upstream's apps/batch/policy/networking validation share (non-negative
 * fields, int-or-percent values, workload selectors, immutable fields, domain-prefixed paths).
 */
import type { LabelSelector } from "kubernetes-types/meta/v1.js";
import type { PodSpec, PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Subdomain, isValidPercent, regexError, validateLabelSelector } from "../../../shared/api/validation.js";
import { labelSelectorFromObject } from "../../../shared/api/selectors.js";
import { NAME_COLUMN, humanDuration } from "../printing.js";
import type { SubresourceSpec, TableColumn, TableSpec } from "../types.js";
import { rfc3339 } from "../../../shared/api/time.js";

/** Verbs of every status and scale subresource upstream serves. */
const SUBRESOURCE_VERBS: SubresourceSpec["verbs"] = ["get", "patch", "update"];

/** `<kind>/status`: same kind as the parent. */
export const STATUS_SUBRESOURCE: SubresourceSpec = { name: "status", verbs: SUBRESOURCE_VERBS };

/** `<kind>/scale`: an `autoscaling/v1 Scale`, as upstream's discovery lists it. */
export const SCALE_SUBRESOURCE: SubresourceSpec = { name: "scale", group: "autoscaling", version: "v1", kind: "Scale", verbs: SUBRESOURCE_VERBS };

/** Upstream's `isNegativeErrorMsg` (apimachinery `ValidateNonnegativeField`). */
export const NEGATIVE_ERROR_MSG = "must be greater than or equal to 0";

/** Upstream's wording when a workload selector does not select its own pod template. */
export const SELECTOR_MISMATCH_MSG = "`selector` does not match template `labels`";

/**
 * A table column. Descriptions follow upstream's (`kubectl get -o json` shows them in the Table).
 *
 * @example column("Ready", "string", "Number of the pod with ready state")
 */
export function column(name: string, type: TableColumn["type"], description: string, priority: 0 | 1 = 0): TableColumn {
  return { name, type, description, priority };
}

/** The wide-only `Containers` column of workload tables. */
export const CONTAINERS_COLUMN = column("Containers", "string", "Names of each container in the template.", 1);
/** The wide-only `Images` column of workload tables. */
export const IMAGES_COLUMN = column("Images", "string", "Images referenced by each container in the template.", 1);

/**
 * Containers and images of a pod template, comma-joined (upstream `layoutContainerCells`).
 *
 * @example containerCells({ containers: [{ name: "web", image: "nginx" }] }) // ["web", "nginx"]
 */
export function containerCells(spec: PodSpec | undefined): [string, string] {
  const containers = spec?.containers ?? [];
  return [containers.map((c) => c.name).join(","), containers.map((c) => c.image ?? "").join(",")];
}

/**
 * Age of an RFC 3339 timestamp (upstream `translateTimestampSince`): "<unknown>" when unset.
 *
 * @example since("2024-01-01T00:00:00Z", Date.parse("2024-01-01T00:01:30Z")) === "90s"
 */
export function since(ts: string | undefined, now: number): string {
  if (!ts) return "<unknown>";
  const t = Date.parse(ts);
  return Number.isNaN(t) ? "<unknown>" : humanDuration(now - t);
}

/** The apiserver's default table for kinds without a printer (RBAC roles): Name, Created At. */
export const CREATED_AT_TABLE: TableSpec = {
  columns: [
    NAME_COLUMN,
    {
      name: "Created At",
      type: "date",
      description:
        "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
      priority: 0,
    },
  ],
  cells(obj) {
    const ts = obj.metadata.creationTimestamp;
    // Go's time.RFC3339 has no fractional seconds.
    const created = ts && !Number.isNaN(Date.parse(ts)) ? rfc3339(Date.parse(ts)) : "0001-01-01T00:00:00Z";
    return [obj.metadata.name ?? "", created];
  },
};

/** `obj[key]` as an object, created empty when missing, so defaulting can fill it in place. */
export function ensure<T extends object>(parent: object, key: string): T {
  const p = parent as Record<string, unknown>;
  const v = p[key];
  if (v && typeof v === "object" && !Array.isArray(v)) return v as T;
  const created = {} as T;
  p[key] = created;
  return created;
}

/** `obj.spec` typed, `{}` when absent (read only; use `ensure` to default). */
export function specOf<T>(obj: KubeObject): T {
  return (obj.spec && typeof obj.spec === "object" ? obj.spec : {}) as T;
}

/** `obj.status` typed, `{}` when absent. */
export function statusOf<T>(obj: KubeObject): T {
  return (obj.status && typeof obj.status === "object" ? obj.status : {}) as T;
}

/**
 * Upstream `ValidateNonnegativeField` for an optional number.
 *
 * @example nonNegative(-1, "spec.replicas") // [Invalid "must be greater than or equal to 0"]
 */
export function nonNegative(value: number | undefined, path: string): StatusCause[] {
  return value !== undefined && value < 0 ? [fieldError.invalid(path, value, NEGATIVE_ERROR_MSG)] : [];
}

/** Deep equality of JSON values, key order ignored (upstream `apiequality.Semantic.DeepEqual` for API structs). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * Upstream `ValidateImmutableField`: "field is immutable" when the value changed.
 *
 * @example immutable(newSpec.selector, oldSpec.selector, "spec.selector")
 */
export function immutable(value: unknown, old: unknown, path: string): StatusCause[] {
  return deepEqual(value ?? null, old ?? null) ? [] : [fieldError.immutable(path, value ?? null)];
}

/** A value is a percent string ("25%") when it passes upstream's `IsValidPercent`. */
function percentValue(v: number | string | undefined): number | undefined {
  if (typeof v !== "string" || isValidPercent(v).length) return undefined;
  return Number.parseInt(v.slice(0, -1), 10);
}

/** Upstream `getIntOrPercentValue`: the number, or the percent number for "25%" (0 when neither). */
export function intOrPercentValue(v: number | string | undefined): number {
  const pct = percentValue(v);
  if (pct !== undefined) return pct;
  if (typeof v === "number") return v;
  const n = Number.parseInt(String(v ?? ""), 10);
  return Number.isNaN(n) ? 0 : n;
}

/**
 * Upstream `ValidatePositiveIntOrPercent`: ints must be ≥ 0, strings must be percents.
 *
 * @example validatePositiveIntOrPercent("25", "spec.strategy.rollingUpdate.maxSurge") // percent format error
 */
export function validatePositiveIntOrPercent(v: number | string | undefined, path: string): StatusCause[] {
  if (v === undefined) return [];
  if (typeof v === "string") return isValidPercent(v).map((msg) => fieldError.invalid(path, v, msg));
  if (typeof v === "number" && Number.isInteger(v)) return nonNegative(v, path);
  return [fieldError.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** Upstream `IsNotMoreThan100Percent`. */
export function notMoreThan100Percent(v: number | string | undefined, path: string): StatusCause[] {
  const pct = percentValue(v);
  return pct !== undefined && pct > 100 ? [fieldError.invalid(path, v, "must not be greater than 100%")] : [];
}

/**
 * The selector rules apps/v1 and batch/v1 workloads share: required, well-formed, not empty (with the
 * kind's upstream message, e.g. "empty selector is invalid for deployment"), and selecting the template's
 * labels (reported on `<spec>.template.metadata.labels`).
 *
 * @example validateWorkloadSelector(spec.selector, spec.template, "spec", "deployment")
 */
export function validateWorkloadSelector(
  selector: LabelSelector | undefined,
  template: PodTemplateSpec | undefined,
  specPath: string,
  emptyMessage?: string,
): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!selector) {
    causes.push(fieldError.required(`${specPath}.selector`));
  } else {
    causes.push(...validateLabelSelector(selector, `${specPath}.selector`));
    if (emptyMessage && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
      causes.push(fieldError.invalid(`${specPath}.selector`, selector, emptyMessage));
    }
  }
  let matcher;
  try {
    matcher = labelSelectorFromObject(selector);
  } catch {
    causes.push(fieldError.invalid(`${specPath}.selector`, selector, "invalid label selector"));
    return causes;
  }
  // Upstream skips the match for an empty (match-everything) selector; an absent one matches nothing.
  const labels = template?.metadata?.labels;
  if (!matcher.isEverything() && !matcher.matches(labels)) {
    causes.push(fieldError.invalid(`${specPath}.template.metadata.labels`, labels ?? {}, SELECTOR_MISMATCH_MSG));
  }
  return causes;
}

/** The path part of a domain-prefixed path: URL path characters (upstream `httpPathFmt`). */
const HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const HTTP_PATH_RE = new RegExp(`^${HTTP_PATH_FMT}$`);

/**
 * Upstream `IsDomainPrefixedPath`: "example.com/some-path" (IngressClass controllers, Job managedBy).
 *
 * @example validateDomainPrefixedPath("k8s.io/ingress-nginx", "spec.controller") // []
 */
export function validateDomainPrefixedPath(value: string, path: string): StatusCause[] {
  if (!value) return [fieldError.required(path)];
  const slash = value.indexOf("/");
  const host = slash < 0 ? value : value.slice(0, slash);
  const rest = slash < 0 ? "" : value.slice(slash + 1);
  if (slash < 0 || !host || !rest) return [fieldError.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const causes = isDNS1123Subdomain(host).map((msg) => fieldError.invalid(path, host, msg));
  if (!HTTP_PATH_RE.test(rest)) causes.push(fieldError.invalid(path, rest, regexError("Invalid path", HTTP_PATH_FMT)));
  return causes;
}

/**
 * A selector in upstream's normal form (`LabelSelectorAsSelector(sel).String()`, keys sorted), as the
 * Deployment printer shows it; "<invalid>" when it cannot be parsed.
 *
 * @example selectorString({ matchLabels: { b: "2", a: "1" } }) === "a=1,b=2"
 */
export function selectorString(sel: LabelSelector | undefined): string {
  try {
    return labelSelectorFromObject(sel).toString();
  } catch {
    return "<invalid>";
  }
}

/** An int-or-string as upstream's `IntOrString.String()` prints it. */
export function intOrStringText(v: number | string | undefined): string {
  return v === undefined ? "" : String(v);
}
