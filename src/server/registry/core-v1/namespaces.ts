/**
 * Namespaces (core/v1, cluster-scoped): created Active with the `kubernetes` finalizer and the
 * `kubernetes.io/metadata.name` label; deleting one marks it Terminating until its finalizers are gone
 * (upstream `pkg/registry/core/namespace`).
 */
import type { NamespaceSpec, NamespaceStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { isQualifiedName, nameIsDNSLabel } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column } from "./columns.js";
import { checkWith } from "./field-checks.js";

/** The finalizer the namespace controller removes once the namespace is empty (upstream `FinalizerKubernetes`). */
export const NAMESPACE_FINALIZER = "kubernetes";
/** Label every namespace carries with its own name, so selectors can pick namespaces by name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
/** Finalizer names that need no domain prefix (upstream `IsStandardFinalizerName`). */
const STANDARD_FINALIZERS = ["kubernetes", "orphan", "foregroundDeletion"];

function specOf(obj: KubeObject): NamespaceSpec {
  return (obj.spec ?? {}) as NamespaceSpec;
}

function statusOf(obj: KubeObject): NamespaceStatus {
  return (obj.status ?? {}) as NamespaceStatus;
}

function validateFinalizers(finalizers: string[] | undefined): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const f of finalizers ?? []) {
    errs.push(...checkWith(isQualifiedName, f, "spec.finalizers"));
    if (!f.includes("/") && !STANDARD_FINALIZERS.includes(f)) {
      errs.push(fieldError.invalid("spec.finalizers", f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  return errs;
}

function validateNamespace(obj: KubeObject, old: KubeObject | undefined, subresource: string): StatusCause[] {
  const errs: StatusCause[] = [];
  errs.push(...validateFinalizers(specOf(obj).finalizers));
  if (old && subresource === "status") {
    const phase = statusOf(obj).phase;
    if (!obj.metadata.deletionTimestamp && phase !== "Active") {
      errs.push(fieldError.invalid("status.phase", phase ?? "", "may only be 'Active' if `deletionTimestamp` is empty"));
    } else if (obj.metadata.deletionTimestamp && phase !== "Terminating") {
      errs.push(fieldError.invalid("status.phase", phase ?? "", "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
  }
  return errs;
}

export const namespaces: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Namespace",
  plural: "namespaces",
  namespaced: false,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["ns"],
  nameValidator: nameIsDNSLabel,
  verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
  hasStatus: true,
  returnDeletedObject: true,
  subresources: [
    { name: "finalize", verbs: ["update"] },
    { name: "status", verbs: ["get", "patch", "update"] },
  ],
  table: {
    columns: [NAME_COLUMN, column("Status", "The status of the namespace"), AGE_COLUMN],
    cells: (obj, now) => [obj.metadata.name ?? "", statusOf(obj).phase ?? "", age(obj, now)],
  },
  defaults(obj) {
    if (obj.metadata.name) obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: obj.metadata.name };
    const status = (obj.status ??= {}) as NamespaceStatus;
    status.phase ||= obj.metadata.deletionTimestamp ? "Terminating" : "Active";
  },
  validate: (obj, old, ctx) => validateNamespace(obj, old, ctx.subresource),
  prepareForCreate(obj) {
    // On create the namespace is Active and carries the kubernetes finalizer (added, never duplicated).
    obj.status = { phase: "Active" };
    const spec = (obj.spec ??= {}) as NamespaceSpec;
    const finalizers = spec.finalizers ?? [];
    if (!finalizers.includes(NAMESPACE_FINALIZER)) spec.finalizers = [...finalizers, NAMESPACE_FINALIZER];
  },
  prepareForUpdate(obj, old) {
    // Finalizers change only through the finalize subresource.
    const spec = (obj.spec ??= {}) as NamespaceSpec;
    const oldFinalizers = specOf(old).finalizers;
    if (oldFinalizers === undefined) delete spec.finalizers;
    else spec.finalizers = [...oldFinalizers];
  },
  prepareForDelete(obj) {
    obj.status = { ...statusOf(obj), phase: "Terminating" };
  },
  blocksDeletion: (obj) => (specOf(obj).finalizers ?? []).length > 0,
  fieldSelectors: {
    "status.phase": (o) => statusOf(o).phase ?? "",
  },
});
