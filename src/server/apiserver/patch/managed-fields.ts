/**
 * `metadata.managedFields` entries: decoding them into per-manager field sets, encoding them back
 * in upstream's order and shape, manager identity, and the fields never tracked.
 */
import type { KubeObject, ManagedFieldsEntry } from "../../../shared/api/types.js";
import { isObject, type Json, type JsonObject } from "./json.js";
import { FieldSet, type FieldPath } from "./field-set.js";
import { rfc3339 } from "../../../shared/api/time.js";

/** Fields never tracked in managedFields (upstream `stripMetaManager`). */
export const STRIPPED_FIELDS: FieldPath[] = [
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

export type Operation = "Apply" | "Update";

/** One manager's ownership, decoded from / encoded to a managedFields entry. */
export interface ManagerFields {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource?: string;
  time?: string;
  set: FieldSet;
}

/** A manager's set without the never-tracked fields and without the endpoint's reset fields. */
export function trackable(set: FieldSet, ignored: FieldSet): FieldSet {
  return set.difference(STRIPPED).withoutSubtrees(ignored);
}

/** Upstream's manager identifier: everything but time and fields; no apiVersion for appliers. */
export function managerId(m: Omit<ManagerFields, "set" | "time">): string {
  return JSON.stringify([m.manager, m.operation, m.operation === "Apply" ? "" : m.apiVersion, m.subresource ?? ""]);
}

/** Upstream `printManager`: `"name"`, plus the subresource, plus `using <apiVersion>` for updaters. */
export function printManager(m: ManagerFields): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === "Update") s += ` using ${m.apiVersion}`;
  return s;
}

/** Writes `managedFields` into `obj.metadata` (removing the key when empty) and returns both. */
export function setManagedFieldsInPlace(obj: JsonObject, managedFields: ManagedFieldsEntry[]): { object: KubeObject; managedFields: ManagedFieldsEntry[] } {
  const meta: JsonObject = isObject(obj.metadata) ? obj.metadata : {};
  if (managedFields.length > 0) meta.managedFields = structuredClone(managedFields) as unknown as Json;
  else delete meta.managedFields;
  obj.metadata = meta;
  return { object: obj as unknown as KubeObject, managedFields };
}

/** The raw managedFields list of an object; undefined when absent or null. */
export function managedFieldsOf(obj: JsonObject | undefined): Json[] | undefined {
  const meta = obj?.metadata;
  if (!isObject(meta) || !Object.hasOwn(meta, "managedFields") || meta.managedFields === null) return undefined;
  return Array.isArray(meta.managedFields) ? meta.managedFields : undefined;
}

/**
 * Decodes an object's managedFields into field sets keyed by manager identity (entries of the same
 * identity are merged). Throws a plain Error on an entry that is not valid FieldsV1.
 *
 * @example decodeManagedFields(deployment).get(managerId({ manager: "kubectl", operation: "Apply", apiVersion: "" }))?.set
 */
export function decodeManagedFields(obj: JsonObject | undefined): Map<string, ManagerFields> {
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

/** `decodeManagedFields`, or undefined when the entries cannot be decoded. */
export function tryDecodeManagedFields(obj: JsonObject | undefined): Map<string, ManagerFields> | undefined {
  try {
    return decodeManagedFields(obj);
  } catch {
    return undefined;
  }
}

/**
 * Encodes field sets as managedFields entries, in upstream's order (operation, time, manager,
 * apiVersion, subresource); managers owning nothing are dropped.
 */
export function encodeManagedFields(managers: Map<string, ManagerFields>): ManagedFieldsEntry[] {
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
export function timestamp(now: Date | string = new Date()): string {
  const d = typeof now === "string" ? new Date(now) : now;
  if (Number.isNaN(d.getTime())) return typeof now === "string" ? now : rfc3339();
  return rfc3339(d);
}

/** A copy of `obj` without `metadata.managedFields`. */
export function stripManagedFields(obj: JsonObject): JsonObject {
  const copy = structuredClone(obj);
  if (isObject(copy.metadata)) delete copy.metadata.managedFields;
  return copy;
}

/** A copy of `obj` carrying `managedFields`. */
export function withManagedFields(obj: JsonObject, managedFields: ManagedFieldsEntry[]): KubeObject {
  return setManagedFieldsInPlace(structuredClone(obj), managedFields).object;
}

/**
 * Upstream `DefaultMaxUpdateManagers`: at most this many Update entries are kept, so objects written
 * by many different clients do not grow without bound; the oldest are merged per API version into
 * an "ancient-changes" entry.
 */
export const MAX_UPDATE_MANAGERS = 10;
const OLD_UPDATES_MANAGER = "ancient-changes";

/**
 * Merges the oldest Update entries into per-version "ancient-changes" buckets until at most
 * `max` Update entries remain (upstream `capManagersManager`). Mutates and returns `managers`.
 */
export function capUpdateManagers(managers: Map<string, ManagerFields>, max = MAX_UPDATE_MANAGERS): Map<string, ManagerFields> {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === "Update").map(([id]) => id);
  if (updaters.length <= max) return managers;
  const seconds = (id: string): number => {
    const t = managers.get(id)?.time;
    return t ? Math.floor(Date.parse(t) / 1000) || 0 : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || cmp(a, b));
  const firstOfVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > max; i++) {
    const id = updaters[i];
    const m = managers.get(id)!;
    const bucketId = managerId({ manager: OLD_UPDATES_MANAGER, operation: "Update", apiVersion: m.apiVersion });
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, id);
      continue;
    }
    if (!managers.has(bucketId)) {
      const firstEntry = managers.get(first)!;
      managers.delete(first);
      managers.set(bucketId, { ...firstEntry, manager: OLD_UPDATES_MANAGER, subresource: undefined });
    }
    const bucket = managers.get(bucketId)!;
    managers.set(bucketId, { ...bucket, set: m.set.union(bucket.set), time: m.time });
    managers.delete(id);
    length--;
  }
  return managers;
}
