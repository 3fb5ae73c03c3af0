/**
 * Field sets for server-side apply, in structured-merge-diff's model: a set of paths, each path a
 * list of path elements written as in `metadata.managedFields[].fieldsV1`:
 * `f:<field>` (struct field or map key), `k:{"name":"nginx"}` (associative-list item by its keys),
 * `v:"example.com/a"` (set-list item by value), `i:<n>` (index).
 *
 * Also here: the walks that build a set from an object (`toFieldSet`), compare two objects
 * (`compareObjects`), and the FieldsV1 encoding.
 */
import { fieldSchema, isAtomicType, type FieldSchema } from "./merge-keys.js";
import { deepEqual, isObject, type Json, type JsonObject } from "./json.js";

/** A path: path elements from the object root. */
export type FieldPath = readonly string[];

/** Separator of path elements inside a set key. JSON-encoded elements never contain it raw. */
const SEP = "\u0001";

/** An immutable-style set of field paths (copy-on-write operations return new sets). */
export class FieldSet {
  private readonly keys: Set<string>;

  constructor(paths: Iterable<FieldPath> = []) {
    this.keys = new Set();
    for (const p of paths) this.keys.add(p.join(SEP));
  }

  private static ofKeys(keys: Iterable<string>): FieldSet {
    const s = new FieldSet();
    for (const k of keys) s.keys.add(k);
    return s;
  }

  get size(): number {
    return this.keys.size;
  }

  isEmpty(): boolean {
    return this.keys.size === 0;
  }

  insert(path: FieldPath): void {
    this.keys.add(path.join(SEP));
  }

  has(path: FieldPath): boolean {
    return this.keys.has(path.join(SEP));
  }

  /** True when the set holds `path` itself or any path below it. */
  hasAtOrBelow(path: FieldPath): boolean {
    if (path.length === 0) return !this.isEmpty();
    const k = path.join(SEP);
    if (this.keys.has(k)) return true;
    const prefix = k + SEP;
    for (const key of this.keys) if (key.startsWith(prefix)) return true;
    return false;
  }

  /** True when the set holds a path strictly below `path`. */
  hasBelow(path: FieldPath): boolean {
    const prefix = path.length === 0 ? "" : path.join(SEP) + SEP;
    for (const key of this.keys) if (key.startsWith(prefix) && key.length > prefix.length) return true;
    return false;
  }

  union(other: FieldSet): FieldSet {
    return FieldSet.ofKeys([...this.keys, ...other.keys]);
  }

  difference(other: FieldSet): FieldSet {
    return FieldSet.ofKeys([...this.keys].filter((k) => !other.keys.has(k)));
  }

  intersection(other: FieldSet): FieldSet {
    return FieldSet.ofKeys([...this.keys].filter((k) => other.keys.has(k)));
  }

  /** Removes every path at or below any path of `other`. */
  withoutSubtrees(other: FieldSet): FieldSet {
    const prefixes = [...other.keys];
    return FieldSet.ofKeys([...this.keys].filter((k) => !prefixes.some((p) => k === p || k.startsWith(p + SEP))));
  }

  equals(other: FieldSet): boolean {
    return this.keys.size === other.keys.size && [...this.keys].every((k) => other.keys.has(k));
  }

  /** Every path, sorted in managedFields order. */
  paths(): FieldPath[] {
    return [...this.keys].map((k) => (k === "" ? [] : k.split(SEP))).sort(comparePaths);
  }

  /**
   * The `fieldsV1` JSON of this set: one nested object per path element, `{}` for a leaf,
   * `".": {}` for a member that also has children. Keys sorted as upstream sorts them.
   *
   * @example new FieldSet([["f:spec", "f:replicas"]]).toFieldsV1() // { "f:spec": { "f:replicas": {} } }
   */
  toFieldsV1(): JsonObject {
    interface Node {
      member: boolean;
      children: Map<string, Node>;
    }
    const root: Node = { member: false, children: new Map() };
    for (const path of this.paths()) {
      let node = root;
      for (const pe of path) {
        let next = node.children.get(pe);
        if (!next) {
          next = { member: false, children: new Map() };
          node.children.set(pe, next);
        }
        node = next;
      }
      node.member = true;
    }
    const emit = (node: Node, includeSelf: boolean): JsonObject => {
      const out: JsonObject = {};
      if (includeSelf && node.member && node.children.size > 0) out["."] = {};
      for (const pe of [...node.children.keys()].sort(comparePathElements)) out[pe] = emit(node.children.get(pe)!, true);
      return out;
    };
    return emit(root, false);
  }

  /**
   * Parses a `fieldsV1` object. Throws on anything that is not nested objects.
   *
   * @example FieldSet.fromFieldsV1({ "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } }).has(["f:metadata", "f:labels"]) // true
   */
  static fromFieldsV1(fields: unknown): FieldSet {
    const set = new FieldSet();
    const walk = (node: unknown, path: string[]): void => {
      if (!isObject(node)) throw new Error(`invalid fieldsV1 at ${path.join("")}: not an object`);
      const keys = Object.keys(node);
      if (keys.length === 0 && path.length > 0) set.insert(path);
      for (const k of keys) {
        if (k === ".") {
          if (path.length > 0) set.insert(path);
          continue;
        }
        if (!/^[fkvi]:/.test(k)) throw new Error(`invalid fieldsV1 path element ${JSON.stringify(k)}`);
        walk(node[k], [...path, k]);
      }
    };
    walk(fields, []);
    return set;
  }
}

const PE_KIND_RANK: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream `PathElement.Compare`: fields, then keys, then values, then indexes. */
function comparePathElements(a: string, b: string): number {
  const ra = PE_KIND_RANK[a[0]] ?? 9;
  const rb = PE_KIND_RANK[b[0]] ?? 9;
  if (ra !== rb) return ra - rb;
  if (a[0] === "i") return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePaths(a: FieldPath, b: FieldPath): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = comparePathElements(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** Go's `%q`-ish rendering used by upstream's `value.ToString` for path strings. */
function valueToString(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? "null";
}

/**
 * The human form of a path, as upstream prints it in conflict messages.
 *
 * @example formatPath(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"nginx"}', "f:image"])
 * // '.spec.template.spec.containers[name="nginx"].image'
 */
export function formatPath(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case "f":
          return "." + body;
        case "k": {
          const keys = JSON.parse(body) as JsonObject;
          return `[${Object.entries(keys)
            .map(([k, v]) => `${k}=${valueToString(v)}`)
            .join(",")}]`;
        }
        case "v":
          return `[=${valueToString(JSON.parse(body))}]`;
        default:
          return `[${body}]`;
      }
    })
    .join("");
}

/** Field element for a struct field or map key. */
export function fieldElement(name: string): string {
  return "f:" + name;
}

/** Thrown when a list item cannot be identified (a missing list-map key): upstream's typed-conversion error. */
export class ListItemKeyError extends Error {}

/**
 * The path element of a list item: `k:{…}` for `listType=map` (keys sorted by name, schema defaults
 * filled in), `v:…` for `listType=set`. Atomic lists have no item elements.
 */
export function listItemElement(item: Json, meta: FieldSchema | undefined, path: FieldPath, index: number): string {
  if (meta?.listType === "set") return "v:" + JSON.stringify(item);
  const keys = meta?.listMapKeys ?? [];
  if (!isObject(item)) throw new ListItemKeyError(`${formatPath(path)}: element ${index}: expected a map`);
  const id: JsonObject = {};
  for (const k of [...keys].sort()) {
    if (Object.hasOwn(item, k) && item[k] !== null) id[k] = item[k];
    else if (meta?.listMapKeyDefaults && Object.hasOwn(meta.listMapKeyDefaults, k)) id[k] = meta.listMapKeyDefaults[k];
    else throw new ListItemKeyError(`${formatPath(path)}: element ${index}: associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
  }
  return "k:" + JSON.stringify(id);
}

/** How SSA sees a value at a position: its own type name and the schema of the field holding it. */
interface Position {
  type: string | undefined;
  meta: FieldSchema | undefined;
}

/** The position of `field` inside an object at `parent`: map values share the map's element type. */
export function childPosition(parent: Position, field: string): Position {
  if (parent.meta?.mapType) return { type: parent.meta.type, meta: undefined };
  const meta = fieldSchema(parent.type, field);
  return { type: meta?.type, meta };
}

/** The position of an element of the list at `parent`. */
export function itemPosition(parent: Position): Position {
  return { type: parent.meta?.type, meta: undefined };
}

/** True when the list at this position is itemised (set or map), false when atomic. */
export function isGranularList(pos: Position): boolean {
  return pos.meta?.listType === "set" || pos.meta?.listType === "map";
}

/** True when the object at this position is one leaf for SSA (`+mapType=atomic`, `+structType=atomic`). */
export function isAtomicObject(pos: Position): boolean {
  return pos.meta?.mapType === "atomic" || isAtomicType(pos.type);
}

/** True when the object at this position is a map[string]X (its keys are data, not named fields). */
export function isGranularMap(pos: Position): boolean {
  return pos.meta?.mapType === "granular";
}

export function rootPosition(rootType: string): Position {
  return { type: rootType, meta: undefined };
}

/**
 * The fields an applied configuration sets (upstream `TypedValue.ToFieldSet`): every scalar and
 * atomic value, every list item, struct fields whose value is null or `{}`, and every map key.
 * `rejectDuplicates` makes a list item key seen twice an error (applied configurations).
 *
 * @example toFieldSet({ spec: { replicas: 2 } }, "Deployment").has(["f:spec", "f:replicas"]) // true
 */
export function toFieldSet(obj: JsonObject, rootType: string, rejectDuplicates = false): FieldSet {
  const set = new FieldSet();
  const walk = (v: Json, pos: Position, path: string[]): void => {
    if (Array.isArray(v)) {
      if (!isGranularList(pos)) {
        set.insert(path);
        return;
      }
      const seen = new Set<string>();
      v.forEach((item, i) => {
        const pe = listItemElement(item, pos.meta, path, i);
        if (seen.has(pe) && rejectDuplicates) throw new ListItemKeyError(`${formatPath(path)}: duplicate entries for key ${formatPath([pe])}`);
        seen.add(pe);
        const itemPath = [...path, pe];
        set.insert(itemPath);
        if (isObject(item)) walk(item, itemPosition(pos), itemPath);
      });
      return;
    }
    if (isObject(v)) {
      if (path.length > 0 && isAtomicObject(pos)) {
        set.insert(path);
        return;
      }
      for (const [k, child] of Object.entries(v)) {
        const childPath = [...path, fieldElement(k)];
        walk(child, childPosition(pos, k), childPath);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || isGranularMap(pos)) set.insert(childPath);
      }
      return;
    }
    set.insert(path);
  };
  walk(obj, rootPosition(rootType), []);
  return set;
}

/** What changed between two versions of an object (upstream `typed.Comparison`). */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/**
 * Compares two objects field by field: leaves (scalars, atomic values, empty containers) are
 * added/removed/modified; every node present on one side only is added or removed with its subtree.
 *
 * @example compareObjects({ spec: { replicas: 1 } }, { spec: { replicas: 2 } }, "Deployment").modified.has(["f:spec", "f:replicas"]) // true
 */
export function compareObjects(lhs: JsonObject, rhs: JsonObject, rootType: string): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const leaf = (l: Json | undefined, r: Json | undefined, path: string[]): void => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
  };
  const isEmpty = (v: Json | undefined): boolean => v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
  const walk = (l: Json | undefined, r: Json | undefined, pos: Position, path: string[]): void => {
    const sample = r !== undefined ? r : l;
    const sameShape = l === undefined || r === undefined || Array.isArray(l) === Array.isArray(r) && isObject(l) === isObject(r);
    if (Array.isArray(sample) && sameShape && isGranularList(pos) && !(isEmpty(l) && isEmpty(r))) {
      const items = (list: Json | undefined): Map<string, Json> => {
        const m = new Map<string, Json>();
        (Array.isArray(list) ? list : []).forEach((item, i) => {
          const pe = listItemElement(item, pos.meta, path, i);
          if (!m.has(pe)) m.set(pe, item);
        });
        return m;
      };
      const li = items(l);
      const ri = items(r);
      for (const pe of new Set([...li.keys(), ...ri.keys()])) walk(li.get(pe), ri.get(pe), itemPosition(pos), [...path, pe]);
    } else if (isObject(sample) && sameShape && !(path.length > 0 && isAtomicObject(pos)) && !(isEmpty(l) && isEmpty(r))) {
      const lo = isObject(l) ? l : {};
      const ro = isObject(r) ? r : {};
      for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
        walk(Object.hasOwn(lo, k) ? lo[k] : undefined, Object.hasOwn(ro, k) ? ro[k] : undefined, childPosition(pos, k), [...path, fieldElement(k)]);
      }
    } else {
      leaf(l, r, path);
      return;
    }
    if (path.length > 0) {
      if (l === undefined) c.added.insert(path);
      else if (r === undefined) c.removed.insert(path);
    }
  };
  walk(lhs, rhs, rootPosition(rootType), []);
  return c;
}
