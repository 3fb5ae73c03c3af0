/**
 * kube-lite's own protobuf schema notation for Kubernetes API messages, and its compiled form.
 *
 * Each package table (messages/*.ts) maps a message name to rows `[number, jsonName, type, flags]`, in Go
 * struct order (which is the JSON key order upstream emits):
 * - `type`: a scalar (`string`, `bool`, `int32`, `int64`, `uint32`, `uint64`, `double`, `float`, `bytes`),
 *   a message (`core.v1.Container`), a type with its own codec (`@Time`, `@MicroTime`, `@Duration`,
 *   `@Quantity`, `@IntOrString`, `@RawExtension`, `@FieldsV1`), or a named Go slice carried as a
 *   `{repeated T items = 1}` message (`@List:string`, e.g. `ExtraValue`).
 * - `flags`: `r` repeated (Go slice), `m` map (string keys; `type` is the value type), `p` Go pointer,
 *   `o` JSON `omitempty`, `i` embedded with `json:",inline"` (its fields are flattened into the parent).
 */
import { PACKAGE_TABLES, REQUEST_KINDS } from "./messages/index.js";

export type FieldRow = readonly [number: number, jsonName: string, type: string, flags: string];
export type MessageTable = Readonly<Record<string, readonly FieldRow[]>>;

export interface FieldSpec {
  readonly no: number;
  readonly json: string;
  readonly type: string;
  readonly repeated: boolean;
  readonly map: boolean;
  readonly pointer: boolean;
  readonly omitEmpty: boolean;
  readonly inline: boolean;
}

export interface MessageSpec {
  readonly name: string;
  /** Go struct order. */
  readonly fields: readonly FieldSpec[];
  readonly byNumber: ReadonlyMap<number, FieldSpec>;
}

const compiled = new Map<string, MessageSpec>();

/**
 * The compiled spec of a message by full name, built from the tables at first use.
 *
 * @example messageSpec("apps.v1.Deployment")?.byNumber.get(2)?.json // "spec"
 */
export function messageSpec(fullName: string): MessageSpec | undefined {
  const hit = compiled.get(fullName);
  if (hit) return hit;
  const dot = fullName.lastIndexOf(".");
  const rows = PACKAGE_TABLES[fullName.slice(0, dot)]?.[fullName.slice(dot + 1)];
  if (!rows) return undefined;
  const fields = rows.map(([no, json, type, flags]): FieldSpec => ({
    no,
    json,
    type,
    repeated: flags.includes("r"),
    map: flags.includes("m"),
    pointer: flags.includes("p"),
    omitEmpty: flags.includes("o"),
    inline: flags.includes("i"),
  }));
  const spec: MessageSpec = { name: fullName, fields, byNumber: new Map(fields.map((f) => [f.no, f])) };
  compiled.set(fullName, spec);
  return spec;
}

/** API group (as in apiVersion) → our package prefix. Only groups kube-lite decodes from protobuf. */
const GROUP_PACKAGES: Readonly<Record<string, string>> = {
  "": "core",
  apps: "apps",
  batch: "batch",
  "rbac.authorization.k8s.io": "rbac",
  "networking.k8s.io": "networking",
  policy: "policy",
  "scheduling.k8s.io": "scheduling",
  autoscaling: "autoscaling",
  "authentication.k8s.io": "authentication",
  "authorization.k8s.io": "authorization",
  "certificates.k8s.io": "certificates",
  "meta.k8s.io": "meta",
};

/**
 * The message that carries `kind` in `apiVersion`, or undefined when kube-lite cannot decode it.
 * `DeleteOptions` is registered in every group version upstream, so it resolves from any of them.
 *
 * @example requestMessageFor("apps/v1", "Deployment") // "apps.v1.Deployment"
 */
export function requestMessageFor(apiVersion: string, kind: string): string | undefined {
  if (kind === "DeleteOptions") return "meta.v1.DeleteOptions";
  const slash = apiVersion.indexOf("/");
  const group = slash < 0 ? "" : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  const pkg = GROUP_PACKAGES[group];
  if (!pkg || !version) return undefined;
  const key = `${pkg}.${version}`;
  return REQUEST_KINDS[key]?.includes(kind) ? `${key}.${kind}` : undefined;
}
