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
 * Simplifications (documented, not hidden): one API version per kind (no conversion between the
 * versions managers used), the type facts of `merge-keys.ts` instead of full OpenAPI schemas (unknown
 * fields are treated as granular structs and lists as atomic), and no update of the client-side
 * `last-applied-configuration` annotation.
 */
import { ApiError, badRequest } from "../../../shared/api/status.js";
import type { KubeObject, ManagedFieldsEntry } from "../../../shared/api/types.js";
import { rootTypeOf } from "./merge-keys.js";
import { deepEqual, isObject, type Json, type JsonObject } from "./json.js";
import {
  FieldSet,
  ListItemKeyError,
  childPosition,
  compareObjects,
  fieldElement,
  formatPath,
  isAtomicObject,
  isGranularList,
  isGranularMap,
  itemPosition,
  listItemElement,
  rootPosition,
  toFieldSet,
  type FieldPath,
} from "./field-set.js";

/** Fields never tracked in managedFields (upstream `stripMetaManager`). */
const STRIPPED_FIELDS: FieldPath[] = [
  ["f:apiVersion"],
  ["f:kind"],
  ["f:metadata"],
  ["f:metadata", "f:name"],
  ["f:metadata", "f:namespace"],
  ["f:metadata", "f:creationTimestamp"],
  ["f:metadata", "f:selfLink"],
  ["f:metadata", "f:uid"],
  ["f:metadata", "f:clusterName"],
  ["f:metadata", "f:generation"],
  ["f:metadata", "f:managedFields"],
  ["f:metadata", "f:resourceVersion"],
];
const STRIPPED = new FieldSet(STRIPPED_FIELDS);

type Operation = "Apply" | "Update";

/** Objects as the API layer holds them (`KubeObject`) or as plain JSON. */
export type ObjectLike = KubeObject | JsonObject;

/** One manager's ownership, decoded from / encoded to a managedFields entry. */
interface ManagerFields {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

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

  const changed = withTypedErrors(() => compareObjects(live, merged, rootType));
  const touched = changed.modified.union(changed.added);
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
    const set = m.set.difference(touched).withoutSubtrees(changed.removed);
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

/** kubectl's field manager for `apply --server-side`; upstream keys its client-side-apply interop on it. */
const KUBECTL_MANAGER = "kubectl";
/** Client-side apply's annotation. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

function lastAppliedOf(obj: JsonObject | undefined): string | undefined {
  const meta = obj?.metadata;
  const annotations = isObject(meta) ? meta.annotations : undefined;
  const v = isObject(annotations) ? annotations[LAST_APPLIED_ANNOTATION] : undefined;
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

/**
 * Fields of the last-applied annotation whose live value still matches it (upstream
 * `allowedConflictsFromLastApplied`); undefined when there is no usable annotation.
 */
function allowedConflictsFromLastApplied(live: JsonObject | undefined, rootType: string, apiVersion: string): FieldSet | undefined {
  const text = lastAppliedOf(live);
  if (!text || !live) return undefined;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
  try {
    const set = toFieldSet(lastApplied, rootType);
    const c = compareObjects(lastApplied, stripManagedFields(live), rootType);
    return set.difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/**
 * After `kubectl apply --server-side`, an existing last-applied annotation is rewritten to the
 * applied configuration so a later client-side apply computes the right diff (upstream
 * `lastAppliedUpdater`; Go's JSON encoder: sorted keys, trailing newline).
 */
function syncLastApplied(object: KubeObject, applied: JsonObject): void {
  if (!lastAppliedOf(object as unknown as JsonObject)) return;
  const config = structuredClone(applied);
  if (isObject(config.metadata) && isObject(config.metadata.annotations)) delete config.metadata.annotations[LAST_APPLIED_ANNOTATION];
  (object.metadata.annotations ??= {})[LAST_APPLIED_ANNOTATION] = goJsonEncode(sortKeys(config)) + "\n";
}

/** JSON as Go's encoder writes it by default: HTML-sensitive characters and U+2028/9 escaped. */
function goJsonEncode(v: Json): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

function sortKeys(v: Json): Json {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeys(v[k]);
  return out;
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
  for (const [id, m] of managers) {
    const set = m.set.difference(touched).withoutSubtrees(changed.removed);
    if (set.isEmpty()) managers.delete(id);
    else managers.set(id, { ...m, set });
  }
  if (!touched.isEmpty()) {
    const previous = managers.get(selfId);
    managers.set(selfId, { ...self, set: previous ? previous.set.union(touched) : touched, time: timestamp(opts.now) });
  }
  return setManagedFieldsInPlace(updatedIn, encodeManagedFields(managers));
}

function setManagedFieldsInPlace(obj: JsonObject, managedFields: ManagedFieldsEntry[]): ApplyResult {
  const meta: JsonObject = isObject(obj.metadata) ? obj.metadata : {};
  if (managedFields.length > 0) meta.managedFields = structuredClone(managedFields) as unknown as Json;
  else delete meta.managedFields;
  obj.metadata = meta;
  return { object: obj as unknown as KubeObject, managedFields };
}

/** Upstream's checks on an applied configuration (`structuredMergeManager.Apply`). */
function checkAppliedConfiguration(applied: JsonObject, apiVersion: string): void {
  if (applied.apiVersion !== undefined && applied.apiVersion !== apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(applied.apiVersion)}, expected: ${apiVersion}`);
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

function trackable(set: FieldSet, ignored: FieldSet): FieldSet {
  return set.difference(STRIPPED).withoutSubtrees(ignored);
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
  return !last.startsWith("f:") || Array.isArray(value) || isGranularMap(parent) || isGranularMap(pos);
}

/**
 * Structured-merge-diff's merge of a configuration into a live value: objects merge key by key
 * (atomic ones are replaced), granular lists merge item by item keeping live order for live-only
 * items and the configuration's order for the rest, everything else is replaced. A null in the
 * configuration clears the field.
 */
function mergeValues(lhs: Json | undefined, rhs: Json, pos: ReturnType<typeof rootPosition>, path: string[]): Json {
  if (Array.isArray(rhs)) {
    if (!isGranularList(pos) || !Array.isArray(lhs)) return structuredClone(rhs);
    return mergeLists(lhs, rhs, pos, path);
  }
  if (isObject(rhs)) {
    if (!isObject(lhs) || (path.length > 0 && isAtomicObject(pos))) return structuredClone(rhs);
    const out: JsonObject = { ...lhs };
    for (const [k, v] of Object.entries(rhs)) {
      if (v === null) {
        delete out[k];
        continue;
      }
      out[k] = mergeValues(Object.hasOwn(lhs, k) ? lhs[k] : undefined, v, childPosition(pos, k), [...path, fieldElement(k)]);
    }
    return out;
  }
  return rhs;
}

/** Upstream `mergingWalker.visitListItems` ordering, on path elements. */
function mergeLists(lhs: Json[], rhs: Json[], pos: ReturnType<typeof rootPosition>, path: string[]): Json[] {
  // Live lists may hold duplicate keys (kept where they are, never merged); a configuration may not.
  const index = (list: Json[], allowDuplicates: boolean): { pes: string[]; byPe: Map<string, Json>; duplicated: Set<string> } => {
    const pes: string[] = [];
    const byPe = new Map<string, Json>();
    const duplicated = new Set<string>();
    list.forEach((item, i) => {
      const pe = listItemElement(item, pos.meta, path, i);
      if (byPe.has(pe)) {
        if (!allowDuplicates) throw new ListItemKeyError(`${formatPath(path)}: duplicate entries for key ${formatPath([pe])}`);
        duplicated.add(pe);
      } else byPe.set(pe, item);
      pes.push(pe);
    });
    return { pes, byPe, duplicated };
  };
  const r = index(rhs, false);
  const l = index(lhs, true);
  const mergeItem = (pe: string, liveIndex?: number): Json => {
    const rItem = r.byPe.get(pe);
    if (rItem === undefined) return structuredClone(lhs[liveIndex ?? 0]);
    const lItem = l.duplicated.has(pe) ? undefined : l.byPe.get(pe);
    return mergeValues(lItem, rItem, itemPosition(pos), [...path, pe]);
  };
  const shared = r.pes.filter((pe) => l.byPe.has(pe));
  let nextShared = shared.shift();
  const done = new Set<string>();
  const out: Json[] = [];
  let li = 0;
  let ri = 0;
  while (li < l.pes.length || ri < r.pes.length) {
    if (li < l.pes.length && ri < r.pes.length) {
      const pe = l.pes[li];
      if (pe === r.pes[ri]) {
        done.add(pe);
        out.push(mergeItem(pe));
        li++;
        ri++;
        nextShared = shared.shift();
        continue;
      }
      if (r.byPe.has(pe) && nextShared !== undefined && nextShared !== pe) {
        li++; // a shared item, placed when the configuration reaches it
        continue;
      }
    }
    if (li < l.pes.length) {
      const pe = l.pes[li];
      if (!r.byPe.has(pe)) {
        out.push(mergeItem(pe, li));
        li++;
        continue;
      } else if (done.has(pe)) {
        li++;
      }
    }
    if (ri < r.pes.length) {
      const pe = r.pes[ri];
      done.add(pe);
      out.push(mergeItem(pe));
      ri++;
      if (nextShared !== undefined && nextShared === pe) nextShared = shared.shift();
    }
  }
  return out;
}

/**
 * Removes what `last` (the manager's previous apply) owned and nobody keeps (`keep`: the new
 * configuration plus every other manager). A struct field counts as owned when anything below it
 * is; containers emptied by the removal go too (upstream `Updater.prune`).
 */
function prune(merged: JsonObject, last: FieldSet, keep: FieldSet, rootType: string): JsonObject {
  const ownedLast = (path: string[], isNamedField: boolean): boolean => last.has(path) || (isNamedField && last.hasBelow(path));
  const walk = (v: Json, pos: ReturnType<typeof rootPosition>, path: string[]): Json | undefined => {
    if (Array.isArray(v)) {
      if (!isGranularList(pos)) return v;
      const out: Json[] = [];
      v.forEach((item, i) => {
        const itemPath = [...path, listItemElement(item, pos.meta, path, i)];
        if (ownedLast(itemPath, false) && !keep.hasAtOrBelow(itemPath)) return;
        if (last.hasBelow(itemPath) && isObject(item)) {
          const pruned = walk(item, itemPosition(pos), itemPath);
          if (pruned !== undefined) out.push(pruned);
        } else out.push(item);
      });
      return out.length === 0 && v.length > 0 ? undefined : out;
    }
    if (isObject(v)) {
      if (path.length > 0 && isAtomicObject(pos)) return v;
      const out: JsonObject = {};
      const named = !isGranularMap(pos);
      for (const [k, child] of Object.entries(v)) {
        const childPath = [...path, fieldElement(k)];
        if (ownedLast(childPath, named) && !keep.hasAtOrBelow(childPath)) continue;
        if (last.hasBelow(childPath)) {
          const pruned = walk(child, childPosition(pos, k), childPath);
          if (pruned !== undefined) out[k] = pruned;
        } else out[k] = child;
      }
      return Object.keys(out).length === 0 && Object.keys(v).length > 0 ? undefined : out;
    }
    return v;
  };
  return (walk(merged, rootPosition(rootType), []) as JsonObject | undefined) ?? {};
}

/** Upstream's manager identifier: everything but time and fields; no apiVersion for appliers. */
function managerId(m: Omit<ManagerFields, "set" | "time">): string {
  return JSON.stringify([m.manager, m.operation, m.operation === "Apply" ? "" : m.apiVersion, m.subresource ?? ""]);
}

/** Upstream `printManager`: `"name"`, plus the subresource, plus `using <apiVersion>` for updaters. */
function printManager(m: ManagerFields): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
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

function managedFieldsOf(obj: JsonObject | undefined): Json[] | undefined {
  const meta = obj?.metadata;
  if (!isObject(meta) || !Object.hasOwn(meta, "managedFields") || meta.managedFields === null) return undefined;
  return Array.isArray(meta.managedFields) ? meta.managedFields : undefined;
}

/** Decodes managedFields; throws a plain Error on an entry that is not valid FieldsV1. */
function decodeManagedFields(obj: JsonObject | undefined): Map<string, ManagerFields> {
  const out = new Map<string, ManagerFields>();
  for (const raw of managedFieldsOf(obj) ?? []) {
    if (!isObject(raw)) throw new Error("managedFields entry is not an object");
    if (raw.fieldsType !== undefined && raw.fieldsType !== "FieldsV1") throw new Error(`unsupported fieldsType ${JSON.stringify(raw.fieldsType)}`);
    const operation = raw.operation === "Apply" ? "Apply" : "Update";
    const m: ManagerFields = {
      manager: typeof raw.manager === "string" ? raw.manager : "",
      operation,
      apiVersion: typeof raw.apiVersion === "string" ? raw.apiVersion : "",
      subresource: typeof raw.subresource === "string" && raw.subresource ? raw.subresource : undefined,
      time: typeof raw.time === "string" ? raw.time : undefined,
      set: FieldSet.fromFieldsV1(raw.fieldsV1 ?? {}),
    };
    const id = managerId(m);
    const prev = out.get(id);
    out.set(id, prev ? { ...m, set: prev.set.union(m.set) } : m);
  }
  return out;
}

function tryDecodeManagedFields(obj: JsonObject | undefined): Map<string, ManagerFields> | undefined {
  try {
    return decodeManagedFields(obj);
  } catch {
    return undefined;
  }
}

/** Entries in upstream's order: operation, time, manager, apiVersion, subresource. */
function encodeManagedFields(managers: Map<string, ManagerFields>): ManagedFieldsEntry[] {
  const list = [...managers.values()].filter((m) => !m.set.isEmpty());
  const seconds = (t: string | undefined): number => (t ? Math.floor(Date.parse(t) / 1000) || 0 : 0);
  list.sort(
    (a, b) =>
      cmp(a.operation, b.operation) ||
      seconds(a.time) - seconds(b.time) ||
      cmp(a.manager, b.manager) ||
      cmp(a.apiVersion, b.apiVersion) ||
      cmp(a.subresource ?? "", b.subresource ?? ""),
  );
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = "FieldsV1";
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `metav1.Time` wire form: RFC 3339 in UTC, whole seconds. */
function timestamp(now: Date | string = new Date()): string {
  const d = typeof now === "string" ? new Date(now) : now;
  if (Number.isNaN(d.getTime())) return typeof now === "string" ? now : new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function stripManagedFields(obj: JsonObject): JsonObject {
  const copy = structuredClone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

function withManagedFields(obj: JsonObject, managedFields: ManagedFieldsEntry[]): KubeObject {
  return setManagedFieldsInPlace(structuredClone(obj), managedFields).object;
}
