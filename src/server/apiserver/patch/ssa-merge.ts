/**
 * Structured-merge-diff's value operations for server-side apply on plain JSON: merging an applied
 * configuration into the live object, and pruning what a manager stopped applying.
 */
import { isObject, setField, type Json, type JsonObject } from "./json.js";
import {
  FieldSet,
  ListItemKeyError,
  childPosition,
  fieldElement,
  formatPath,
  isAtomicObject,
  isGranularList,
  isGranularMap,
  itemPosition,
  listItemElement,
  rootPosition,
} from "./field-set.js";

/**
 * Structured-merge-diff's merge of a configuration into a live value: objects merge key by key
 * (atomic ones are replaced), granular lists merge item by item keeping live order for live-only
 * items and the configuration's order for the rest, everything else is replaced. A null in the
 * configuration clears the field.
 */
export function mergeValues(lhs: Json | undefined, rhs: Json, pos: ReturnType<typeof rootPosition>, path: string[]): Json {
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
      setField(out, k, mergeValues(Object.hasOwn(lhs, k) ? lhs[k] : undefined, v, childPosition(pos, k), [...path, fieldElement(k)]));
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
 * is; list items and map keys only when owned themselves; containers emptied by the removal go
 * too (upstream `Updater.prune` with its add-back passes).
 */
export function prune(merged: JsonObject, last: FieldSet, keep: FieldSet, rootType: string): JsonObject {
  const ownedLast = (path: string[], isNamedField: boolean): boolean => last.has(path) || (isNamedField && last.hasBelow(path));
  const walk = (v: Json, pos: ReturnType<typeof rootPosition>, path: string[]): Json | undefined => {
    if (Array.isArray(v)) {
      if (!isGranularList(pos)) return v;
      const out: Json[] = [];
      v.forEach((item, i) => {
        const itemPath = [...path, listItemElement(item, pos.meta, path, i)];
        // A list item stays only if someone owns the item itself (upstream removes it whole otherwise).
        if (ownedLast(itemPath, false) && !keep.has(itemPath)) return;
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
        // A struct field stays while anything below it is owned; a map key only if owned itself.
        if (ownedLast(childPath, named) && !(named ? keep.hasAtOrBelow(childPath) : keep.has(childPath))) continue;
        if (last.hasBelow(childPath)) {
          const pruned = walk(child, childPosition(pos, k), childPath);
          if (pruned !== undefined) setField(out, k, pruned);
        } else setField(out, k, child);
      }
      return Object.keys(out).length === 0 && Object.keys(v).length > 0 ? undefined : out;
    }
    return v;
  };
  return (walk(merged, rootPosition(rootType), []) as JsonObject | undefined) ?? {};
}

