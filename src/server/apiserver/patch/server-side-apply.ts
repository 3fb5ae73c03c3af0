/**
 * Server-side apply (`application/apply-patch+yaml`) and field ownership in
 * `metadata.managedFields`, following structured-merge-diff's `Updater.Apply` / `Updater.Update`
 * as the apiserver wires them (apimachinery `pkg/util/managedfields`):
 *
 * - apply merges the configuration into the live object (associative lists by their list-map keys,
 *   sets by value, atomic values replaced), records the configuration's field set as the
 *   manager's `Apply` entry, removes fields this manager applied before and omits now (unless
 *   another manager owns them), and fails with 409 when it changes a field another manager owns
 *   (unless `force`, which takes the field over);
 * - every other write records an `Update` entry for its manager with the fields it added or changed,
 *   and takes those fields from other managers.
 *
 * kubectl's move from client-side to server-side apply is handled as upstream (`last-applied.ts`).
 *
 * Simplifications (documented, not hidden): one API version per kind (no conversion between the
 * versions managers used), and the type facts of `merge-keys.ts` instead of full OpenAPI schemas
 * (unknown fields are treated as granular structs, unknown lists as atomic).
 */
import { ApiError, badRequest } from "../../../shared/api/status.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../shared/api/types.js";
import { rootTypeOf } from "./merge-keys.js";
import { deepEqual, isObject, type Json, type JsonObject } from "./json.js";
import { FieldSet, ListItemKeyError, childPosition, compareObjects, fieldElement, formatPath, isGranularMap, itemPosition, listItemElement, rootPosition, toFieldSet, type FieldPath } from "./field-set.js";
import {
  decodeManagedFields,
  encodeManagedFields,
  managerId,
  printManager,
  setManagedFieldsInPlace,
  stripManagedFields,
  timestamp,
  trackable,
  tryDecodeManagedFields,
  withManagedFields,
  managedFieldsOf,
  capUpdateManagers,
  type ManagerFields,
} from "./managed-fields.js";
import { KUBECTL_MANAGER, allowedConflictsFromLastApplied, syncLastApplied } from "./last-applied.js";
import { mergeValues, prune } from "./ssa-merge.js";

export { LAST_APPLIED_ANNOTATION } from "./last-applied.js";

/** Objects as the API layer holds them (`KubeObject`) or as plain JSON. */
export type ObjectLike = KubeObject | JsonObject;

export interface ApplyOptions {
  /** The stored object, or undefined (or a bare `{apiVersion, kind, metadata}`) when apply creates it. */
  live: ObjectLike | undefined;
  /** The applied configuration (the parsed request body). */
  applied: ObjectLike;
  /** `fieldManager` query parameter (required for apply; the handler checks it). */
  manager: string;
  /** `force` query parameter: take conflicting fields instead of failing. */
  force: boolean;
  /** The API version the request was made in, e.g. "apps/v1". */
  apiVersion: string;
  /** Kind of the object (selects the type table; unknown kinds use metadata rules only). */
  kind?: string;
  /** Subresource written ("status"), empty for the main resource. */
  subresource?: string;
  /**
   * Top-level field paths the endpoint resets (upstream `ResetFieldsStrategy`), e.g. `[["status"]]`
   * on the main resource of a kind with a status subresource. Not recorded as owned.
   */
  ignoredFields?: string[][];
  /** Clock, for the entry's `time` (a Date or an RFC 3339 string). */
  now?: Date | string;
}

export interface ApplyResult {
  /** The object to store, with `metadata.managedFields` set. */
  object: KubeObject;
  managedFields: ManagedFieldsEntry[];
}

/**
 * Applies a configuration as `manager` and returns the object to store with its managedFields.
 * Throws 409 Conflict (reason FieldManagerConflict causes) when another manager owns a field the
 * configuration changes and `force` is false.
 *
 * @example
 * const { object } = applyServerSide({ live, applied: { apiVersion: "apps/v1", kind: "Deployment",
 *   metadata: { name: "web" }, spec: { replicas: 3 } }, manager: "kubectl", force: false, apiVersion: "apps/v1" });
 */
export function applyServerSide(opts: ApplyOptions): ApplyResult {
  const { manager, force, apiVersion } = opts;
  const rootType = rootTypeOf(opts.kind ?? String(opts.applied.kind ?? opts.live?.kind ?? ""));
  const applied = structuredClone(opts.applied) as JsonObject;
  checkAppliedConfiguration(applied, apiVersion);
  const liveIn = opts.live as JsonObject | undefined;
  const live = stripManagedFields(liveIn ?? {});
  let managers: Map<string, ManagerFields>;
  try {
    managers = decodeManagedFields(liveIn);
  } catch (e) {
    throw new ApiError(500, "InternalError", `failed to decode managed fields: ${(e as Error).message}`);
  }
  const ignored = new FieldSet((opts.ignoredFields ?? []).map((p) => p.map(fieldElement)));

  const self: Omit<ManagerFields, "set"> = { manager, operation: "Apply", apiVersion, subresource: opts.subresource || undefined };
  const selfId = managerId(self);
  const lastSet = managers.get(selfId)?.set;
  const newSet = trackable(withTypedErrors(() => toFieldSet(applied, rootType, true)), ignored);

  let merged = withTypedErrors(() => mergeValues(live, applied, rootPosition(rootType), []) as JsonObject);
  const others = [...managers.entries()].filter(([id]) => id !== selfId);
  if (lastSet && !lastSet.isEmpty()) {
    const keep = others.reduce((acc, [, m]) => acc.union(m.set), newSet);
    merged = prune(merged, lastSet, keep, rootType);
  }
  managers.set(selfId, { ...self, set: newSet, time: managers.get(selfId)?.time });

  // As upstream's IgnoredFields: changes to reset fields neither conflict nor move ownership.
  const changed = withTypedErrors(() => compareObjects(live, merged, rootType));
  const touched = changed.modified.union(changed.added).withoutSubtrees(ignored);
  const removed = changed.removed.withoutSubtrees(ignored);
  const conflicts: { manager: ManagerFields; path: FieldPath }[] = [];
  for (const [, m] of others) {
    for (const path of m.set.intersection(touched).paths()) conflicts.push({ manager: m, path });
  }
  if (conflicts.length > 0 && !force) {
    // kubectl migrating from client-side apply: conflicts on fields whose live value is still what
    // the last-applied annotation says are taken over (upstream `lastAppliedManager`).
    const allowed = manager === KUBECTL_MANAGER ? allowedConflictsFromLastApplied(liveIn, rootType, apiVersion) : undefined;
    const remaining = allowed ? conflicts.filter((c) => !allowed.has(c.path)) : conflicts;
    if (remaining.length > 0) throw applyConflict(remaining);
  }
  for (const [id, m] of others) {
    const set = m.set.difference(touched).withoutSubtrees(removed);
    if (set.isEmpty()) managers.delete(id);
    else managers.set(id, { ...m, set });
  }
  if (newSet.isEmpty()) managers.delete(selfId);

  const objectChanged = !deepEqual(live, merged);
  if (objectChanged || !managers.get(selfId)?.time) {
    const entry = managers.get(selfId);
    if (entry) entry.time = timestamp(opts.now);
  }
  const managedFields = encodeManagedFields(managers);
  const object = withManagedFields(objectChanged ? merged : live, managedFields);
  if (manager === KUBECTL_MANAGER) syncLastApplied(object, applied);
  return { object, managedFields };
}

export interface UpdateManagedFieldsOptions {
  /** The stored object before the write (undefined on create). */
  old: ObjectLike | undefined;
  /** The object about to be stored (after patching, defaulting and the registry's rules); its managedFields are set in place. */
  updated: ObjectLike;
  /** `fieldManager` query parameter, or the user-agent derived name upstream falls back to. */
  manager: string;
  operation?: "Update";
  apiVersion: string;
  kind?: string;
  subresource?: string;
  /** As for apply: fields the endpoint resets, not recorded as owned. */
  ignoredFields?: string[][];
  now?: Date | string;
}

/**
 * Records a non-apply write (create, update, JSON/merge/strategic patch) in managedFields: the
 * fields it added or changed become owned by `manager` (operation Update) and are taken from
 * every other manager; removed fields are dropped from every entry.
 *
 * As upstream, managedFields carried by the write itself become the baseline (missing, empty or
 * undecodable ones fall back to the stored entries), and `[]` resets tracking to this write alone.
 *
 * @example
 * const { object } = updateManagedFields({ old, updated, manager: "kubectl-client-side-apply", apiVersion: "apps/v1" });
 */
export function updateManagedFields(opts: UpdateManagedFieldsOptions): ApplyResult {
  const rootType = rootTypeOf(opts.kind ?? String(opts.updated.kind ?? opts.old?.kind ?? ""));
  const oldIn = opts.old as JsonObject | undefined;
  const updatedIn = opts.updated as JsonObject;
  const old = stripManagedFields(oldIn ?? {});
  const updated = stripManagedFields(updatedIn);
  // Upstream `decodeLiveOrNew`: a write may reset tracking ([] or [{}]) or replace the entries; entries
  // that are missing, empty or undecodable fall back to the stored ones. Subresources never replace.
  const newEntries = opts.subresource ? undefined : managedFieldsOf(updatedIn);
  const reset = newEntries !== undefined && (newEntries.length === 0 || (newEntries.length === 1 && isObject(newEntries[0]) && Object.keys(newEntries[0]).length === 0));
  let managers = reset ? new Map<string, ManagerFields>() : tryDecodeManagedFields(updatedIn);
  if (!reset && (opts.subresource || managers === undefined || managers.size === 0)) managers = tryDecodeManagedFields(oldIn) ?? new Map();
  managers ??= new Map();
  const ignored = new FieldSet((opts.ignoredFields ?? []).map((p) => p.map(fieldElement)));
  const self: Omit<ManagerFields, "set"> = { manager: opts.manager, operation: "Update", apiVersion: opts.apiVersion, subresource: opts.subresource || undefined };
  const selfId = managerId(self);

  const changed = withTypedErrors(() => compareObjects(old, updated, rootType));
  const touched = trackable(ownedByUpdate(changed.modified.union(changed.added), updated, rootType), ignored);
  const removed = changed.removed.withoutSubtrees(ignored);
  for (const [id, m] of managers) {
    const set = m.set.difference(touched).withoutSubtrees(removed);
    if (set.isEmpty()) managers.delete(id);
    else managers.set(id, { ...m, set });
  }
  if (!touched.isEmpty()) {
    const previous = managers.get(selfId);
    managers.set(selfId, { ...self, set: previous ? previous.set.union(touched) : touched, time: timestamp(opts.now) });
  }
  return setManagedFieldsInPlace(updatedIn, encodeManagedFields(capUpdateManagers(managers)));
}

/** Upstream's checks on an applied configuration (`structuredMergeManager.Apply`). */
function checkAppliedConfiguration(applied: JsonObject, apiVersion: string): void {
  if (applied.apiVersion !== apiVersion) {
    const specified = typeof applied.apiVersion === "string" ? applied.apiVersion : "";
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${specified}, expected: ${apiVersion}`);
  }
  const meta = applied.metadata;
  if (isObject(meta) && meta.managedFields !== undefined && meta.managedFields !== null) {
    throw badRequest("metadata.managedFields must be nil");
  }
}

/** Typed-conversion failures (list items without their keys) are server errors upstream. */
function withTypedErrors<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ListItemKeyError) throw new ApiError(500, "InternalError", `failed to create typed patch object: ${e.message}`);
    throw e;
  }
}

/**
 * Of the changed paths of an update, the ones an Update entry owns: leaves, list items, lists and
 * maps (labels, annotations…) that appeared, and map keys. Struct fields that merely contain
 * changes are not owned themselves: upstream's typed objects always carry non-pointer structs, so
 * those never show up as added, while nil slices and maps do.
 */
function ownedByUpdate(changed: FieldSet, updated: JsonObject, rootType: string): FieldSet {
  const out = new FieldSet();
  for (const path of changed.paths()) {
    if (!changed.hasBelow(path) || isListMapOrItem(path, updated, rootType)) out.insert(path);
  }
  return out;
}

function isListMapOrItem(path: FieldPath, updated: JsonObject, rootType: string): boolean {
  let parent = rootPosition(rootType);
  let pos = parent;
  let value: Json | undefined = updated;
  for (const pe of path) {
    parent = pos;
    if (pe.startsWith("f:")) {
      pos = childPosition(pos, pe.slice(2));
      value = isObject(value) && Object.hasOwn(value, pe.slice(2)) ? value[pe.slice(2)] : undefined;
    } else {
      const listPos = pos;
      pos = itemPosition(pos);
      value = Array.isArray(value) ? value.find((item, i) => listItemElement(item, listPos.meta, [], i) === pe) : undefined;
    }
  }
  const last = path[path.length - 1] ?? "";
  if (pos.meta?.serializedWhenEmpty) return false;
  return !last.startsWith("f:") || Array.isArray(value) || isGranularMap(parent) || isGranularMap(pos);
}

/** The 409 upstream returns (`internal.NewConflictError`). */
function applyConflict(conflicts: { manager: ManagerFields; path: FieldPath }[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c.manager)}`, field: formatPath(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${formatPath(conflicts[0].path)}`;
  } else {
    const byManager = new Map<string, { printed: string; paths: string[] }>();
    for (const c of conflicts) {
      const key = managerId(c.manager);
      const entry = byManager.get(key) ?? { printed: printManager(c.manager), paths: [] };
      entry.paths.push(formatPath(c.path));
      byManager.set(key, entry);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      const e = byManager.get(key)!;
      lines.push(`conflicts with ${e.printed}:`, ...e.paths.map((p) => `- ${p}`));
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  }
  return new ApiError(409, "Conflict", message, { causes });
}

