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

/** One node of the path tree: whether the path ending here is in the set, and the longer paths. */
interface Node {
  member: boolean;
  children: Map<string, Node>;
}

function newNode(): Node {
  return { member: false, children: new Map() };
}

/** True when a node holds no member at or below it (such nodes are never kept in a tree). */
function isEmptyNode(n: Node): boolean {
  return !n.member && n.children.size === 0;
}

function copyNode(n: Node): Node {
  const out: Node = { member: n.member, children: new Map() };
  for (const [pe, c] of n.children) out.children.set(pe, copyNode(c));
  return out;
}

/**
 * A set of field paths, stored as a tree keyed by path element so prefix questions ("is anything
 * below this path owned?") cost one walk. Set operations return new sets.
 */
export class FieldSet {
  private readonly root: Node = newNode();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.insert(p);
  }

  private static ofRoot(root: Node): FieldSet {
    const s = new FieldSet();
    s.root.member = root.member;
    for (const [pe, c] of root.children) s.root.children.set(pe, c);
    return s;
  }

  private find(path: FieldPath): Node | undefined {
    let node: Node | undefined = this.root;
    for (const pe of path) {
      node = node.children.get(pe);
      if (!node) return undefined;
    }
    return node;
  }

  get size(): number {
    let n = 0;
    const count = (node: Node): void => {
      if (node.member) n++;
      for (const c of node.children.values()) count(c);
    };
    count(this.root);
    return n;
  }

  isEmpty(): boolean {
    return isEmptyNode(this.root);
  }

  insert(path: FieldPath): void {
    let node = this.root;
    for (const pe of path) {
      let next = node.children.get(pe);
      if (!next) {
        next = newNode();
        node.children.set(pe, next);
      }
      node = next;
    }
    node.member = true;
  }

  has(path: FieldPath): boolean {
    return this.find(path)?.member === true;
  }

  /** True when the set holds `path` itself or any path below it. */
  hasAtOrBelow(path: FieldPath): boolean {
    const node = this.find(path);
    return node !== undefined && !isEmptyNode(node);
  }

  /** True when the set holds a path strictly below `path`. */
  hasBelow(path: FieldPath): boolean {
    const node = this.find(path);
    return node !== undefined && node.children.size > 0;
  }

  union(other: FieldSet): FieldSet {
    const merge = (a: Node, b: Node): Node => {
      const out: Node = { member: a.member || b.member, children: new Map() };
      for (const [pe, c] of a.children) out.children.set(pe, b.children.has(pe) ? merge(c, b.children.get(pe)!) : copyNode(c));
      for (const [pe, c] of b.children) if (!a.children.has(pe)) out.children.set(pe, copyNode(c));
      return out;
    };
    return FieldSet.ofRoot(merge(this.root, other.root));
  }

  difference(other: FieldSet): FieldSet {
    const diff = (a: Node, b: Node | undefined): Node => {
      const out: Node = { member: a.member && !(b?.member ?? false), children: new Map() };
      for (const [pe, c] of a.children) {
        const d = diff(c, b?.children.get(pe));
        if (!isEmptyNode(d)) out.children.set(pe, d);
      }
      return out;
    };
    return FieldSet.ofRoot(diff(this.root, other.root));
  }

  intersection(other: FieldSet): FieldSet {
    const inter = (a: Node, b: Node): Node => {
      const out: Node = { member: a.member && b.member, children: new Map() };
      for (const [pe, c] of a.children) {
        const bc = b.children.get(pe);
        if (!bc) continue;
        const i = inter(c, bc);
        if (!isEmptyNode(i)) out.children.set(pe, i);
      }
      return out;
    };
    return FieldSet.ofRoot(inter(this.root, other.root));
  }

  /** Removes every path at or below any path of `other`. */
  withoutSubtrees(other: FieldSet): FieldSet {
    const cut = (a: Node, b: Node): Node | undefined => {
      if (b.member) return undefined;
      const out: Node = { member: a.member, children: new Map() };
      for (const [pe, c] of a.children) {
        const bc = b.children.get(pe);
        const kept = bc ? cut(c, bc) : copyNode(c);
        if (kept && !isEmptyNode(kept)) out.children.set(pe, kept);
      }
      return out;
    };
    return FieldSet.ofRoot(cut(this.root, other.root) ?? newNode());
  }

  equals(other: FieldSet): boolean {
    const eq = (a: Node, b: Node): boolean =>
      a.member === b.member && a.children.size === b.children.size && [...a.children].every(([pe, c]) => b.children.has(pe) && eq(c, b.children.get(pe)!));
    return eq(this.root, other.root);
  }

  /** Every path, sorted in managedFields order. */
  paths(): FieldPath[] {
    const out: FieldPath[] = [];
    const walk = (node: Node, path: string[]): void => {
      if (node.member) out.push(path);
      for (const pe of [...node.children.keys()].sort(comparePathElements)) walk(node.children.get(pe)!, [...path, pe]);
    };
    walk(this.root, []);
    return out;
  }

  /**
   * The `fieldsV1` JSON of this set: one nested object per path element, `{}` for a leaf,
   * `".": {}` for a member that also has children. Keys sorted as upstream sorts them.
   *
   * @example new FieldSet([["f:spec", "f:replicas"]]).toFieldsV1() // { "f:spec": { "f:replicas": {} } }
   */
  toFieldsV1(): JsonObject {
    const emit = (node: Node, includeSelf: boolean): JsonObject => {
      const out: JsonObject = {};
      if (includeSelf && node.member && node.children.size > 0) out["."] = {};
      for (const pe of [...node.children.keys()].sort(comparePathElements)) out[pe] = emit(node.children.get(pe)!, true);
      return out;
    };
    return emit(this.root, false);
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
