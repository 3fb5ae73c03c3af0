/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), server side, with the semantics of
 * apimachinery `pkg/util/strategicpatch` (`StrategicMergeMapPatch` with parallel lists merged and
 * unmatched nulls ignored):
 *
 * - maps merge recursively; `null` deletes a key; `{"$patch":"replace",…}` replaces the map,
 *   `{"$patch":"delete"}` empties it;
 * - `$retainKeys: [k…]` first drops every key of the original map that is not listed;
 * - lists of objects with `patchStrategy: merge` merge by `patchMergeKey`; an element
 *   `{key: v, "$patch": "delete"}` removes the match; an element `{"$patch":"replace"}` makes the
 *   patch list replace the list; lists of scalars with the merge strategy are unions;
 * - `$setElementOrder/<field>` fixes the final order (upstream's `normalizeElementOrder`: listed
 *   elements in that order, server-only elements keep their relative place);
 * - `$deleteFromPrimitiveList/<field>` removes values from a scalar list;
 * - every other list is atomic: the patch value replaces it.
 *
 * No `$…` directive key survives into the result. Malformed patches throw ApiError 400 (upstream's
 * messages where upstream has one); lists of lists throw 422 as upstream.
 */
import { ApiError, badRequest } from "../../../shared/api/status.js";
import { fieldSchema, rootTypeOf, type FieldSchema } from "./merge-keys.js";
import { deepEqual, goFormat, goJsonKind, isObject, setField, type Json, type JsonObject } from "./json.js";

const DIRECTIVE = "$patch";
const RETAIN_KEYS = "$retainKeys";
const SET_ELEMENT_ORDER_PREFIX = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList/";

// Upstream's error texts (apimachinery `pkg/util/mergepatch/errors.go`).
const ERR_BAD_PATCH_FORMAT_PRIMITIVE_LIST = "invalid patch format of primitive list";
const ERR_BAD_PATCH_FORMAT_RETAIN_KEYS = "invalid patch format of retainKeys";
const ERR_BAD_PATCH_FORMAT_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list";
const ERR_NO_LIST_OF_LISTS = "lists of lists are not supported";

/**
 * Applies a strategic merge patch to a built-in object of `kind` and returns the new object.
 * Neither input is modified.
 *
 * @example
 * applyStrategicMergePatch(deployment, { spec: { template: { spec: {
 *   "$setElementOrder/containers": [{ name: "nginx" }],
 *   containers: [{ name: "nginx", image: "nginx:1.28" }] } } } }, "Deployment");
 */
export function applyStrategicMergePatch<T extends object = JsonObject>(original: T, patch: unknown, kind: string): T {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  return mergeMap(structuredClone(original) as JsonObject, structuredClone(patch), rootTypeOf(kind)) as T;
}

/** Element kind of a list as upstream's `sliceElementType` sees it: "map", "scalar", or "empty". */
type ElementKind = "map" | "scalar" | "empty";

function elementKind(...lists: Json[][]): ElementKind {
  let seen: string | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = goJsonKind(v);
      if (k === "array") throw new ApiError(422, "Invalid", ERR_NO_LIST_OF_LISTS);
      if (seen === undefined) seen = k;
      else if (seen !== k) throw badRequest(`list element types are not identical: ${goFormat(lists)}`);
    }
  }
  if (seen === undefined) return "empty";
  return seen === "object" ? "map" : "scalar";
}

function strategyOf(meta: FieldSchema | undefined): "merge" | "replace" | "" {
  const s = meta?.patchStrategy?.find((p) => p !== "retainKeys");
  return s ?? "";
}

/** Merges `patch` into `original` (both owned by the caller; `original` is updated in place). */
function mergeMap(original: JsonObject, patch: JsonObject, type: string | undefined): JsonObject {
  if (Object.hasOwn(patch, DIRECTIVE)) {
    const directive = patch[DIRECTIVE];
    delete patch[DIRECTIVE];
    if (directive === "replace") return fresh(patch, type) as JsonObject;
    if (directive === "delete") return {};
    if (directive !== "merge") throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat({ ...patch, [DIRECTIVE]: directive })}`);
    // "merge" is the default behaviour; upstream rejects the explicit form, we accept it.
  }

  applyRetainKeys(original, patch);
  applySetElementOrder(original, patch, type);

  const deletions: [string, Json][] = [];
  for (const [key, patchValue] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX)) {
      deletions.push([key, patchValue]);
      continue;
    }
    if (key.startsWith("$")) continue; // an unknown directive: never stored
    if (patchValue === null) {
      delete original[key];
      continue;
    }
    const meta = fieldSchema(type, key);
    const originalValue = Object.hasOwn(original, key) ? original[key] : undefined;
    const merged = mergeValue(originalValue, patchValue, meta);
    if (merged === undefined) delete original[key];
    else setField(original, key, merged);
  }
  for (const [key, values] of deletions) deleteFromPrimitiveList(original, key, values);
  return original;
}

/** Merges one field value; undefined means "leave the field out". */
function mergeValue(originalValue: Json | undefined, patchValue: Json, meta: FieldSchema | undefined): Json | undefined {
  if (originalValue === undefined || originalValue === null || goJsonKind(originalValue) !== goJsonKind(patchValue)) {
    return fresh(patchValue, meta?.type);
  }
  if (isObject(patchValue) && isObject(originalValue)) {
    if (strategyOf(meta) === "replace") return fresh(patchValue, meta?.type);
    return mergeMap(originalValue, patchValue, meta?.type);
  }
  if (Array.isArray(patchValue) && Array.isArray(originalValue)) {
    if (strategyOf(meta) === "merge") return mergeList(originalValue, patchValue, meta);
    return freshList(patchValue, meta?.type);
  }
  return patchValue;
}

/**
 * A patch value with nothing to merge into: directives are resolved against an empty original,
 * nulls dropped (upstream `discardNullValuesFromPatch` + `removeDirectives`). Undefined means the
 * value itself was a `$patch` directive and is not kept.
 */
function fresh(value: Json, type: string | undefined): Json | undefined {
  if (Array.isArray(value)) return freshList(value, type);
  if (!isObject(value)) return value;
  if (Object.hasOwn(value, DIRECTIVE)) {
    const directive = value[DIRECTIVE];
    if (directive === "delete") return undefined;
    if (directive !== "replace" && directive !== "merge") throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(value)}`);
    delete value[DIRECTIVE];
  }
  return mergeMap({}, value, type);
}

function freshList(list: Json[], elementType: string | undefined): Json[] {
  const out: Json[] = [];
  for (const v of list) {
    if (isObject(v) && Object.hasOwn(v, DIRECTIVE)) continue; // list-level or element directives
    const f = fresh(v, elementType);
    if (f !== undefined) out.push(f);
  }
  return out;
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest(ERR_BAD_PATCH_FORMAT_RETAIN_KEYS);
  const keep = new Set(retain.map((k) => String(k)));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) || k.startsWith(SET_ELEMENT_ORDER_PREFIX)) continue;
    if (!keep.has(k)) throw badRequest(ERR_BAD_PATCH_FORMAT_RETAIN_KEYS);
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Processes every `$setElementOrder/<field>` of `patch`: merges that field's list and orders it. */
function applySetElementOrder(original: JsonObject, patch: JsonObject, type: string | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith("$setElementOrder")) continue;
    const field = key.startsWith(SET_ELEMENT_ORDER_PREFIX) ? key.slice(SET_ELEMENT_ORDER_PREFIX.length) : "";
    if (!field) throw badRequest(ERR_BAD_PATCH_FORMAT_SET_ELEMENT_ORDER);
    const order = patch[key];
    delete patch[key];
    if (!Array.isArray(order)) throw badRequest(ERR_BAD_PATCH_FORMAT_SET_ELEMENT_ORDER);

    const originalList = listOrAbsent(original, field);
    // A null list next to its order directive is upstream's ErrBadArgType.
    if (Object.hasOwn(patch, field) && patch[field] === null) throw badRequest("expected a []interface {}, but received a <nil>");
    const patchList = listOrAbsent(patch, field);
    const meta = fieldSchema(type, field);
    const mergeKey = meta?.patchMergeKey ?? "";
    validatePatchWithSetOrderList(patchList ?? [], order, mergeKey);

    const serverOrder = originalList && patchList && strategyOf(meta) === "merge" && mergeKey ? aliasedServerOrder(originalList, patchList, mergeKey) : originalList ?? [];
    let merged: Json[];
    if (originalList && !patchList) merged = originalList;
    else if (!originalList && patchList) merged = freshList(patchList, meta?.type);
    else if (originalList && patchList) merged = strategyOf(meta) === "merge" ? mergeList(originalList, patchList, meta) : freshList(patchList, meta?.type);
    else continue;
    delete patch[field];

    const kind = elementKind(originalList ?? [], patchList ?? []);
    if (kind === "empty" || (kind === "map" && !mergeKey)) {
      // Nothing to order, or objects without a merge key (an atomic list): keep the merged list.
      setField(original, field, merged);
      continue;
    }
    const [patchItems, serverOnly] = partition(merged, order, mergeKey, kind);
    setField(original, field, normalizeElementOrder(patchItems, serverOnly, order, serverOrder, mergeKey, kind));
  }
}

function listOrAbsent(obj: JsonObject, field: string): Json[] | undefined {
  if (!Object.hasOwn(obj, field) || obj[field] === null) return undefined;
  const v = obj[field];
  if (!Array.isArray(v)) throw badRequest(`${ERR_BAD_PATCH_FORMAT_SET_ELEMENT_ORDER}: ${field} is not a list`);
  return v;
}

/**
 * Upstream's `validatePatchWithSetOrderList`: the patch list (deletions aside) must be a subset of
 * the order list, in the same relative order.
 */
function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === "delete")) : patchList;
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    const item = nonDelete[p];
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw badRequest(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER_PREFIX.slice(0, -1)} list:\n${goFormat(order)}\n`);
  }
}

function mergeKeyValueEqual(left: Json, right: Json, mergeKey: string): boolean {
  if (!mergeKey) return deepEqual(left, right);
  if (!isObject(left)) throw badRequest(`expected a map, but received a ${goJsonKind(left)}`);
  if (!isObject(right)) throw badRequest(`expected a map, but received a ${goJsonKind(right)}`);
  return keyOf(left, mergeKey) === keyOf(right, mergeKey);
}

/** The merge-key value of a list element; throws upstream's error when it is missing. */
function keyOf(item: JsonObject, mergeKey: string): Json {
  if (!Object.hasOwn(item, mergeKey)) throw badRequest(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
  return item[mergeKey];
}

/**
 * The live order upstream's `$setElementOrder` step actually sees. Upstream merges the list in
 * place: deletions shift the backing array left and the first new elements are appended into the
 * freed slots, so its view of the "original" list (same length, same array) shows them. Reproduced
 * here so the final order matches the apiserver's (upstream test "add map and delete map from
 * merging list": live [1,2,4], delete 1, add 3, order [2,3] → [2,4,3]).
 */
function aliasedServerOrder(originalList: Json[], patchList: Json[], mergeKey: string): Json[] {
  const capacity = originalList.length;
  const backing = [...originalList];
  let length = capacity;
  const keyAt = (v: Json): Json | undefined => (isObject(v) && Object.hasOwn(v, mergeKey) ? v[mergeKey] : undefined);
  for (const p of patchList) {
    if (!isObject(p) || p[DIRECTIVE] !== "delete" || !Object.hasOwn(p, mergeKey)) continue;
    for (;;) {
      const i = backing.slice(0, length).findIndex((v) => keyAt(v) === p[mergeKey]);
      if (i < 0) break;
      backing.copyWithin(i, i + 1, length);
      length--;
    }
  }
  const appendedBeyondCapacity: Json[] = [];
  for (const p of patchList) {
    if (!isObject(p) || Object.hasOwn(p, DIRECTIVE) || !Object.hasOwn(p, mergeKey)) continue;
    const key = p[mergeKey];
    if (backing.slice(0, length).some((v) => keyAt(v) === key) || appendedBeyondCapacity.some((v) => keyAt(v) === key)) continue;
    if (length < capacity) backing[length++] = p;
    else appendedBeyondCapacity.push(p);
  }
  return backing;
}

/** Merges two lists under the merge strategy (upstream `mergeSlice`). */
function mergeList(original: Json[], patch: Json[], meta: FieldSchema | undefined): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch);
  const mergeKey = meta?.patchMergeKey ?? "";
  let merged: Json[];
  let serverOrder = original;
  let patchOrder = patch;
  if (kind !== "map") {
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) throw badRequest(`cannot merge lists without merge key for ${meta?.type ?? "list"}`);
    const special = applySpecialElements(original, patch, mergeKey);
    if (special.replace) return freshList(special.patch, meta?.type);
    serverOrder = special.original;
    patchOrder = special.patch;
    merged = [...special.original];
    for (const item of special.patch) {
      const p = item as JsonObject;
      const key = keyOf(p, mergeKey);
      const i = merged.findIndex((m) => isObject(m) && Object.hasOwn(m, mergeKey) && m[mergeKey] === key);
      if (i >= 0) merged[i] = mergeMap(merged[i] as JsonObject, p, meta?.type);
      else {
        const f = fresh(p, meta?.type);
        if (f !== undefined) merged.push(f);
      }
    }
  }
  const [patchItems, serverOnly] = partition(merged, patchOrder, mergeKey, kind);
  return normalizeElementOrder(patchItems, serverOnly, patchOrder, serverOrder, mergeKey, kind);
}

/** Handles `$patch` elements of a merging list (upstream `mergeSliceWithSpecialElements`). */
function applySpecialElements(original: Json[], patch: Json[], mergeKey: string): { original: Json[]; patch: Json[]; replace: boolean } {
  let remaining = original;
  const plain: Json[] = [];
  let replace = false;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === "delete") {
      const key = keyOf(item, mergeKey);
      remaining = remaining.filter((o) => !(isObject(o) && Object.hasOwn(o, mergeKey) && o[mergeKey] === key));
    } else if (directive === "replace") {
      replace = true;
    } else if (directive === "merge") {
      throw badRequest("merging lists cannot yet be specified in the patch");
    } else {
      throw badRequest(`unknown patch type: ${goFormat(directive)} in map: ${goFormat(item)}`);
    }
  }
  return { original: remaining, patch: plain, replace };
}

function dedupe(list: Json[]): Json[] {
  const out: Json[] = [];
  for (const v of list) if (!out.some((o) => o === v)) out.push(v);
  return out;
}

function identity(item: Json, mergeKey: string, kind: ElementKind): Json | undefined {
  if (kind === "map") return isObject(item) && Object.hasOwn(item, mergeKey) ? item[mergeKey] : undefined;
  return item;
}

/** Index of `item` in `list`, by merge key for maps, by value otherwise (upstream `index`). */
function indexIn(list: Json[], item: Json, mergeKey: string, kind: ElementKind): number {
  const id = identity(item, mergeKey, kind);
  return list.findIndex((v) => identity(v, mergeKey, kind) === id);
}

/** Splits `merged` into elements present in `by` and the rest (server-only), keeping order. */
function partition(merged: Json[], by: Json[], mergeKey: string, kind: ElementKind): [Json[], Json[]] {
  const inPatch: Json[] = [];
  const serverOnly: Json[] = [];
  for (const v of merged) {
    if (kind === "map") {
      if (!isObject(v)) throw badRequest(`expected a map, but received a ${goJsonKind(v)}`);
      const key = keyOf(v, mergeKey);
      const found = by.some((b) => isObject(b) && Object.hasOwn(b, mergeKey) && b[mergeKey] === key);
      (found ? inPatch : serverOnly).push(v);
    } else {
      (by.some((b) => b === v) ? inPatch : serverOnly).push(v);
    }
  }
  return [inPatch, serverOnly];
}

/** Stable sort of `toSort` by position in `order`; elements not in `order` keep their place at the end. */
function sortByOrder(toSort: Json[], order: Json[], mergeKey: string, kind: ElementKind): Json[] {
  let rest: Json[] = [];
  let items = toSort;
  if (kind === "map") {
    for (const o of order) if (isObject(o)) keyOf(o, mergeKey);
    items = toSort.filter((v) => !(isObject(v) && v[DIRECTIVE] === "delete"));
    rest = toSort.filter((v) => isObject(v) && v[DIRECTIVE] === "delete");
  }
  const rank = (v: Json): number => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  const sorted = items.map((v, i) => ({ v, i, r: rank(v) })).sort((a, b) => a.r - b.r || a.i - b.i);
  return [...sorted.map((x) => x.v), ...rest];
}

/**
 * Upstream `normalizeElementOrder` + `mergeSortedSlice`: patch elements in `patchOrder`, server-only
 * elements in `serverOrder`, interleaved so that each server-only element goes before the first
 * patch element that follows it in the live list.
 */
function normalizeElementOrder(patchItems: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, kind: ElementKind): Json[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]);
    else if (j >= right.length) out.push(left[i++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}

/** `$deleteFromPrimitiveList/<field>: [v…]`: removes those values from the scalar list `field`. */
function deleteFromPrimitiveList(original: JsonObject, key: string, values: Json): void {
  const field = key.slice(DELETE_FROM_PRIMITIVE_LIST_PREFIX.length);
  if (!field) throw badRequest(ERR_BAD_PATCH_FORMAT_PRIMITIVE_LIST);
  if (!Array.isArray(values)) throw badRequest(ERR_BAD_PATCH_FORMAT_PRIMITIVE_LIST);
  const current = Object.hasOwn(original, field) ? original[field] : undefined;
  if (!Array.isArray(current)) return; // nothing to delete from; never creates the list
  if (elementKind(current, values) === "map") throw badRequest(ERR_BAD_PATCH_FORMAT_PRIMITIVE_LIST);
  setField(original, field, current.filter((v) => !values.some((d) => d === v)));
}
