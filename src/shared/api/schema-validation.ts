/**
 * Schema-based field validation (`fieldValidation=Strict|Warn|Ignore`), driven by the same OpenAPI
 * component schemas that `/openapi/v3` serves (generated at build time from kubernetes-types by
 * build/gen-schemas.mjs).
 *
 * Upstream behaviour this mirrors (apiserver `handlers/create.go`, `update.go`, `patch.go`):
 * - unknown and duplicate fields are "strict decoding errors": Strict → 400 BadRequest
 *   `<Kind> in version "<v>" cannot be handled as a <Kind>: strict decoding error: unknown field "spec.x", duplicate field "spec.y"`;
 *   Warn → one `Warning: 299 - "unknown field \"spec.x\""` header per problem; Ignore → nothing.
 * - server-side apply reports unknown fields through structured-merge-diff as `.spec.x: field not declared in schema`.
 * - a value of the wrong JSON type fails decoding whatever the directive (400 BadRequest,
 *   `json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32`).
 */
import generated from "../../../gen/openapi-schemas.js";
import type { GroupVersionKind } from "./types.js";

/** One finding. `path` is the JSON field path as upstream's decoder prints it: `spec.template.spec.containers[0].foo`. */
export interface FieldProblem {
  kind: "unknown" | "duplicate" | "type";
  path: string;
  /** The same position as keys and list indexes (`["spec", "containers", 0, "foo"]`), for pruning; map keys may contain dots. */
  segments?: (string | number)[];
  message: string;
}

/** An OpenAPI v3 schema object as generated (only the keywords we produce). */
export interface OpenApiSchema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema;
  items?: OpenApiSchema;
  required?: string[];
  $ref?: string;
  allOf?: OpenApiSchema[];
  oneOf?: OpenApiSchema[];
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-group-version-kind"?: GroupVersionKind[];
  [extension: string]: unknown;
}

/** Every generated component schema, by upstream name (`io.k8s.api.apps.v1.Deployment`). */
export const componentSchemas: Readonly<Record<string, OpenApiSchema>> = generated.schemas as Record<string, OpenApiSchema>;

const REF_PREFIX = "#/components/schemas/";
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

let gvkIndex: Map<string, string> | undefined;

/**
 * The component schema name of a kind, or undefined when we have no schema for it (e.g. a CRD).
 *
 * @example schemaNameForKind({ group: "apps", version: "v1", kind: "Deployment" }) // "io.k8s.api.apps.v1.Deployment"
 */
export function schemaNameForKind(gvk: GroupVersionKind): string | undefined {
  if (!gvkIndex) {
    gvkIndex = new Map();
    for (const [name, s] of Object.entries(componentSchemas)) {
      for (const g of s["x-kubernetes-group-version-kind"] ?? []) gvkIndex.set(gvkKey(g.group, g.version, g.kind), name);
    }
  }
  return gvkIndex.get(gvkKey(gvk.group, gvk.version, gvk.kind));
}

/** The schema name a `$ref` (possibly wrapped in `allOf`) points to. */
export function refName(s: OpenApiSchema): string | undefined {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

// ---- Compiled form: one node per schema, shared by every kind that references it -----------------

type Scalar = "string" | "integer" | "number" | "boolean";

interface ObjectNode {
  t: "object";
  /** Go type name for decoder-style messages: `v1.DeploymentSpec`, `map[string]string`. */
  goType: string;
  /** Struct name for `Go struct field <Struct>.<path>` messages. */
  struct: string;
  props?: Map<string, Node>;
  values?: Node;
  preserveUnknown: boolean;
}
interface ArrayNode {
  t: "array";
  goType: string;
  items: Node;
}
interface ScalarNode {
  t: Scalar;
  goType: string;
}
interface SpecialNode {
  t: "int-or-string" | "quantity" | "any";
  goType: string;
}
type Node = ObjectNode | ArrayNode | ScalarNode | SpecialNode;

const compiled = new Map<string, Node>();

/** Go package-qualified type name of a schema, as the JSON decoder prints it: `v1.PodSpec`, `resource.Quantity`. */
function goTypeOfName(name: string): string {
  const parts = name.split(".");
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function compileNamed(name: string): Node {
  const hit = compiled.get(name);
  if (hit) return hit;
  const s = componentSchemas[name];
  if (!s) return { t: "any", goType: "interface {}" };
  if (name === "io.k8s.apimachinery.pkg.util.intstr.IntOrString") return remember(name, { t: "int-or-string", goType: "intstr.IntOrString" });
  if (name === "io.k8s.apimachinery.pkg.api.resource.Quantity") return remember(name, { t: "quantity", goType: "resource.Quantity" });
  if (s.properties) {
    // Registered before its properties compile, so recursive schemas (JSONSchemaProps) terminate.
    const struct = name.slice(name.lastIndexOf(".") + 1);
    const node: ObjectNode = { t: "object", goType: goTypeOfName(name), struct, props: new Map(), preserveUnknown: !!s["x-kubernetes-preserve-unknown-fields"] };
    compiled.set(name, node);
    for (const [field, ps] of Object.entries(s.properties)) node.props!.set(field, compileSchema(ps, struct));
    return node;
  }
  // A named alias of another schema shares that schema's node; a named scalar (Time) gets its Go name.
  if (refName(s)) return remember(name, compileSchema(s, name));
  return remember(name, { ...compileSchema(s, name.slice(name.lastIndexOf(".") + 1)), goType: goTypeOfName(name) } as Node);
}

function remember(name: string, node: Node): Node {
  compiled.set(name, node);
  return node;
}

function compileSchema(s: OpenApiSchema, struct: string): Node {
  const ref = refName(s);
  if (ref) return compileNamed(ref);
  switch (s.type) {
    case "string":
      return { t: "string", goType: "string" };
    case "boolean":
      return { t: "boolean", goType: "bool" };
    case "integer":
      return { t: "integer", goType: s.format === "int64" ? "int64" : "int32" };
    case "number":
      return { t: "number", goType: "float64" };
    case "array": {
      const items = s.items ? compileSchema(s.items, struct) : ({ t: "any", goType: "interface {}" } as Node);
      return { t: "array", goType: `[]${items.goType}`, items };
    }
    case "object": {
      if (s.additionalProperties) {
        const values = compileSchema(s.additionalProperties, struct);
        return { t: "object", goType: `map[string]${values.goType}`, struct, values, preserveUnknown: false };
      }
      // An object without declared fields holds arbitrary JSON (RawExtension, FieldsV1).
      return { t: "any", goType: "map[string]interface {}" };
    }
  }
  return { t: "any", goType: "interface {}" };
}

// ---- Checking ----------------------------------------------------------------------------------

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v; // "string" | "number" | "object"
}

/** The walk's position: one entry per object key or list index from the root. Map keys are data, not fields. */
interface Frame {
  key: string | number;
  mapKey: boolean;
}

/** `spec.template.spec.containers[0].foo`: the decoder's path, list indexes included. */
function formatPath(stack: Frame[]): string {
  let out = "";
  for (const f of stack) out += typeof f.key === "number" ? `[${f.key}]` : out ? `.${f.key}` : f.key;
  return out;
}

function typeProblem(stack: Frame[], struct: string, goType: string, v: unknown): FieldProblem {
  // Go names the literal only when a number does not fit an integer type (`number 1.5`).
  const what = typeof v === "number" && goType.startsWith("int") ? `number ${v}` : jsonTypeName(v);
  // Go's decoder names struct fields only (no list indexes, no map keys): `DeploymentSpec.spec.replicas`.
  const fieldPath = stack
    .filter((f) => typeof f.key === "string" && !f.mapKey)
    .map((f) => f.key)
    .join(".");
  const where = fieldPath ? `Go struct field ${struct}.${fieldPath}` : "Go value";
  return { kind: "type", path: formatPath(stack), segments: stack.map((f) => f.key), message: `json: cannot unmarshal ${what} into ${where} of type ${goType}` };
}

/** Walks `v` against `node`; `stack` is the position of `v` (pushed and popped in place, no per-field strings). */
function walk(node: Node, v: unknown, stack: Frame[], struct: string, out: FieldProblem[]): void {
  if (v === null || v === undefined) return; // JSON null decodes to the zero value everywhere.
  switch (node.t) {
    case "any":
      return;
    case "string":
      if (typeof v !== "string") out.push(typeProblem(stack, struct, node.goType, v));
      return;
    case "boolean":
      if (typeof v !== "boolean") out.push(typeProblem(stack, struct, node.goType, v));
      return;
    case "number":
      if (typeof v !== "number") out.push(typeProblem(stack, struct, node.goType, v));
      return;
    case "integer":
      if (typeof v !== "number" || !Number.isSafeInteger(v) || (node.goType === "int32" && (v < INT32_MIN || v > INT32_MAX))) {
        out.push(typeProblem(stack, struct, node.goType, v));
      }
      return;
    case "int-or-string":
      if (typeof v !== "string" && !(typeof v === "number" && Number.isInteger(v))) out.push(typeProblem(stack, struct, node.goType, v));
      return;
    case "quantity":
      if (typeof v !== "string" && typeof v !== "number") out.push(typeProblem(stack, struct, node.goType, v));
      return;
    case "array":
      if (!Array.isArray(v)) {
        out.push(typeProblem(stack, struct, node.goType, v));
        return;
      }
      for (let i = 0; i < v.length; i++) {
        stack.push({ key: i, mapKey: false });
        walk(node.items, v[i], stack, struct, out);
        stack.pop();
      }
      return;
    case "object": {
      if (typeof v !== "object" || Array.isArray(v)) {
        out.push(typeProblem(stack, struct, node.goType, v));
        return;
      }
      const rec = v as Record<string, unknown>;
      if (node.values) {
        for (const k in rec) {
          stack.push({ key: k, mapKey: true });
          walk(node.values, rec[k], stack, node.struct, out);
          stack.pop();
        }
        return;
      }
      const props = node.props!;
      for (const k in rec) {
        const child = props.get(k);
        stack.push({ key: k, mapKey: false });
        if (child) walk(child, rec[k], stack, node.struct, out);
        else if (!node.preserveUnknown) {
          const path = formatPath(stack);
          out.push({ kind: "unknown", path, segments: stack.map((f) => f.key), message: `unknown field "${path}"` });
        }
        stack.pop();
      }
      return;
    }
  }
}

/**
 * Finds unknown fields and values of the wrong JSON type in a decoded object of a built-in kind.
 * Returns [] for kinds we have no schema for (custom resources), as their schema lives elsewhere.
 *
 * @example
 *   checkFields({ group: "apps", version: "v1", kind: "Deployment" }, body)
 *   // [{ kind: "unknown", path: "spec.bogusField", message: 'unknown field "spec.bogusField"' }]
 */
export function checkFields(gvk: GroupVersionKind, obj: unknown): FieldProblem[] {
  const name = schemaNameForKind(gvk);
  if (!name) return [];
  const out: FieldProblem[] = [];
  walk(compileNamed(name), obj, [], "", out);
  return out;
}

/** True when `checkFields` can check this kind (we ship its schema). */
export function hasSchemaForKind(gvk: GroupVersionKind): boolean {
  return schemaNameForKind(gvk) !== undefined;
}

// ---- Duplicate keys ----------------------------------------------------------------------------

/**
 * Paths of keys that appear twice in the same JSON object (`JSON.parse` silently keeps the last),
 * in upstream's format: `spec.replicas`, `spec.template.spec.containers[0].name`. Assumes valid
 * JSON (parse it first); one linear scan, no allocation per value.
 *
 * @example findDuplicateFields('{"spec":{"replicas":1,"replicas":2}}') // ["spec.replicas"]
 */
export function findDuplicateFields(json: string): string[] {
  const dups: string[] = [];
  // One frame per open container: objects track the keys seen and the current key; arrays an index.
  const frames: { keys?: Set<string>; key?: string; index: number; path: string }[] = [];
  const childPath = (): string => {
    const f = frames[frames.length - 1];
    if (!f) return "";
    if (f.keys) return f.path ? `${f.path}.${f.key}` : f.key!;
    return `${f.path}[${f.index}]`;
  };
  let expectKey = false;
  const n = json.length;
  for (let i = 0; i < n; i++) {
    const c = json.charCodeAt(i);
    switch (c) {
      case 0x7b /* { */:
        frames.push({ keys: new Set(), index: 0, path: childPath() });
        expectKey = true;
        break;
      case 0x5b /* [ */:
        frames.push({ index: 0, path: childPath() });
        expectKey = false;
        break;
      case 0x7d /* } */:
      case 0x5d /* ] */:
        frames.pop();
        expectKey = false;
        break;
      case 0x2c /* , */: {
        const f = frames[frames.length - 1];
        if (f?.keys) expectKey = true;
        else if (f) f.index++;
        break;
      }
      case 0x22 /* " */: {
        let j = i + 1;
        let escaped = false;
        for (; j < n; j++) {
          const d = json.charCodeAt(j);
          if (d === 0x5c) {
            escaped = true;
            j++;
          } else if (d === 0x22) break;
        }
        if (expectKey) {
          const raw = json.slice(i + 1, j);
          const key = escaped ? (JSON.parse(`"${raw}"`) as string) : raw;
          const f = frames[frames.length - 1];
          if (f.keys!.has(key)) dups.push(f.path ? `${f.path}.${key}` : key);
          else f.keys!.add(key);
          f.key = key;
          expectKey = false;
        }
        i = j;
        break;
      }
    }
  }
  return dups;
}

/**
 * `findDuplicateFields` as problems, ready to merge with `checkFields` results.
 *
 * @example duplicateFieldProblems('{"a":1,"a":2}') // [{ kind: "duplicate", path: "a", message: 'duplicate field "a"' }]
 */
export function duplicateFieldProblems(json: string): FieldProblem[] {
  return findDuplicateFields(json).map((path) => ({ kind: "duplicate" as const, path, message: `duplicate field "${path}"` }));
}

// ---- Formatting as upstream does ---------------------------------------------------------------

/** Problems that `fieldValidation` governs (unknown and duplicate fields); type problems always fail. */
export function strictProblems(problems: FieldProblem[]): FieldProblem[] {
  return problems.filter((p) => p.kind !== "type");
}

/**
 * The 400 BadRequest message for `fieldValidation=Strict` on create, update and non-apply patches.
 *
 * @example
 *   strictDecodingMessage({ group: "apps", version: "v1", kind: "Deployment" }, problems)
 *   // 'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.bogusField"'
 */
export function strictDecodingMessage(gvk: GroupVersionKind, problems: FieldProblem[]): string {
  return `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: strict decoding error: ${problems.map((p) => p.message).join(", ")}`;
}

/**
 * The 400 BadRequest message for a value of the wrong type (any `fieldValidation`): upstream fails
 * decoding on the first one.
 *
 * @example decodeErrorMessage(gvk, typeProblem) // 'Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal …'
 */
export function decodeErrorMessage(gvk: GroupVersionKind, problem: FieldProblem): string {
  return `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: ${problem.message}`;
}

/**
 * The 400 BadRequest message structured-merge-diff gives for server-side apply with Strict
 * validation: `.spec.bogusField: field not declared in schema`, one per unknown field, joined.
 *
 * @example schemaErrorMessage(problems) // ".spec.bogusField: field not declared in schema"
 */
export function schemaErrorMessage(problems: FieldProblem[]): string {
  return problems
    .map((p) => (p.kind === "duplicate" ? p.message : `.${p.path}: field not declared in schema`))
    .join(", ");
}

/**
 * `Warning` header values for `fieldValidation=Warn`, one per problem, in the
 * `299 - "<text>"` form (RFC 7234 warn-code, agent "-", quoted text with `"` and `\` escaped).
 *
 * @example warningHeaders(problems) // ['299 - "unknown field \\"spec.bogusField\\""']
 */
export function warningHeaders(problems: FieldProblem[]): string[] {
  return problems.map((p) => `299 - "${p.message.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`);
}
