// Extracts kube-lite's compact protobuf schema tables (../messages/*.ts) from the Go struct tags of
// k8s.io/api and k8s.io/apimachinery. Only facts are taken: field numbers, wire names, Go shapes
// (pointer, slice, map, named type) and JSON tags (name, omitempty, inline). No upstream file is copied.
//
// Usage (git directories of the upstream mirrors, read with `git show`, no work tree needed):
//   node src/server/apiserver/protobuf/tools/extract-schema.mjs <k8s.io/api .git> <k8s.io/apimachinery .git> [rev]
// Re-run it when kube-lite must decode a new kind: add the kind to ROOTS below.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join, resolve as resolvePath } from "node:path";

const [apiGit, machineryGit, rev = "HEAD"] = process.argv.slice(2);
if (!apiGit || !machineryGit) {
  console.error("usage: extract-schema.mjs <k8s.io/api git dir> <k8s.io/apimachinery git dir> [rev]");
  process.exit(2);
}
// Next to this tool, found from argv (src/ is bundled as CommonJS, so no ESM module URL here).
const outDir = join(dirname(resolvePath(process.argv[1])), "..", "messages");

/** Our package key ("core.v1") → where its Go types live. */
const PACKAGES = {
  "core.v1": [apiGit, "core/v1", "k8s.io/api/core/v1"],
  "apps.v1": [apiGit, "apps/v1", "k8s.io/api/apps/v1"],
  "batch.v1": [apiGit, "batch/v1", "k8s.io/api/batch/v1"],
  "rbac.v1": [apiGit, "rbac/v1", "k8s.io/api/rbac/v1"],
  "networking.v1": [apiGit, "networking/v1", "k8s.io/api/networking/v1"],
  "policy.v1": [apiGit, "policy/v1", "k8s.io/api/policy/v1"],
  "scheduling.v1": [apiGit, "scheduling/v1", "k8s.io/api/scheduling/v1"],
  "scheduling.v1alpha3": [apiGit, "scheduling/v1alpha3", "k8s.io/api/scheduling/v1alpha3"],
  "autoscaling.v1": [apiGit, "autoscaling/v1", "k8s.io/api/autoscaling/v1"],
  "autoscaling.v2": [apiGit, "autoscaling/v2", "k8s.io/api/autoscaling/v2"],
  "authentication.v1": [apiGit, "authentication/v1", "k8s.io/api/authentication/v1"],
  "authorization.v1": [apiGit, "authorization/v1", "k8s.io/api/authorization/v1"],
  "certificates.v1": [apiGit, "certificates/v1", "k8s.io/api/certificates/v1"],
  "meta.v1": [machineryGit, "pkg/apis/meta/v1", "k8s.io/apimachinery/pkg/apis/meta/v1"],
};

/** Kinds kube-lite decodes from protobuf request bodies (what kubectl's typed clients send, and in-cluster peers). */
const ROOTS = {
  "core.v1": ["ConfigMap", "Secret", "Namespace", "Service", "ServiceAccount", "Pod", "ResourceQuota", "Binding", "Event", "LimitRange", "Endpoints", "PersistentVolumeClaim", "Node"],
  "apps.v1": ["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ControllerRevision"],
  "batch.v1": ["Job", "CronJob"],
  "rbac.v1": ["Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"],
  "networking.v1": ["Ingress", "IngressClass", "NetworkPolicy"],
  "policy.v1": ["PodDisruptionBudget", "Eviction"],
  "scheduling.v1": ["PriorityClass"],
  "autoscaling.v1": ["HorizontalPodAutoscaler", "Scale"],
  "autoscaling.v2": ["HorizontalPodAutoscaler"],
  "authentication.v1": ["TokenRequest", "SelfSubjectReview", "TokenReview"],
  "authorization.v1": ["SelfSubjectAccessReview", "SelfSubjectRulesReview", "SubjectAccessReview", "LocalSubjectAccessReview"],
  "certificates.v1": ["CertificateSigningRequest"],
  "meta.v1": ["DeleteOptions"],
};

/** Go types with their own protobuf and JSON codecs: decoded by hand in ../convert.ts. */
const SPECIALS = {
  "k8s.io/apimachinery/pkg/apis/meta/v1.Time": "@Time",
  "k8s.io/apimachinery/pkg/apis/meta/v1.MicroTime": "@MicroTime",
  "k8s.io/apimachinery/pkg/apis/meta/v1.Duration": "@Duration",
  "k8s.io/apimachinery/pkg/apis/meta/v1.FieldsV1": "@FieldsV1",
  "k8s.io/apimachinery/pkg/api/resource.Quantity": "@Quantity",
  "k8s.io/apimachinery/pkg/util/intstr.IntOrString": "@IntOrString",
  "k8s.io/apimachinery/pkg/runtime.RawExtension": "@RawExtension",
  "k8s.io/apimachinery/pkg/types.UID": "string",
  "k8s.io/apimachinery/pkg/types.NodeName": "string",
};
const GO_SCALARS = { string: "string", bool: "bool", int32: "int32", int64: "int64", int: "int64", uint32: "uint32", uint64: "uint64", float64: "double", float32: "float", byte: "byte" };

function git(dir, ...args) {
  return execFileSync("git", ["--git-dir", dir, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
}

/** Parses one Go package: imports, struct fields and named (non-struct) types. */
function parsePackage(key) {
  const [dir, path, importPath] = PACKAGES[key];
  const files = git(dir, "ls-tree", "--name-only", `${rev}:${path}`)
    .split("\n")
    .filter((f) => f.endsWith(".go") && !f.endsWith("_test.go") && !f.startsWith("zz_") && !f.startsWith("generated") && !f.includes("swagger"));
  const structs = new Map();
  const named = new Map();
  const imports = new Map();
  for (const f of files) {
    const src = git(dir, "show", `${rev}:${path}/${f}`);
    for (const m of src.matchAll(/^\s*(?:(\w+)\s+)?"([\w./-]+)"\s*$/gm)) {
      const p = m[2];
      imports.set(m[1] ?? p.split("/").pop(), p);
    }
    for (const m of src.matchAll(/^import\s+(?:(\w+)\s+)?"([\w./-]+)"/gm)) imports.set(m[1] ?? m[2].split("/").pop(), m[2]);
    const lines = src.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const st = /^type (\w+) struct \{\s*$/.exec(lines[i]);
      if (st) {
        const fields = [];
        for (i++; i < lines.length && lines[i] !== "}"; i++) {
          const line = lines[i].trim();
          if (!line || line.startsWith("//")) continue;
          const fm = /^(\w+)\s+([^\s`]+)\s+`([^`]*)`/.exec(line) ?? /^()([\w.*]+)\s+`([^`]*)`/.exec(line);
          if (!fm) continue;
          fields.push({ goName: fm[1] || null, goType: fm[2], tag: fm[3] });
        }
        structs.set(st[1], fields);
        continue;
      }
      const nt = /^type (\w+)\s+=?\s*([\w.\[\]*]+)\s*(?:\/\/.*)?$/.exec(lines[i]);
      if (nt && nt[2] !== "struct") named.set(nt[1], nt[2]);
    }
  }
  return { key, importPath, structs, named, imports };
}

const importToKey = new Map(Object.entries(PACKAGES).map(([k, v]) => [v[2], k]));
const parsed = new Map(Object.keys(PACKAGES).map((k) => [k, parsePackage(k)]));

function tagValue(tag, name) {
  const m = new RegExp(`(?:^|\\s)${name}:"([^"]*)"`).exec(tag);
  return m ? m[1] : undefined;
}

/** Resolves a Go type expression in package `pkg` to a schema element type and shape. */
function resolve(pkg, goType) {
  if (goType.startsWith("*")) return { ...resolve(pkg, goType.slice(1)), pointer: true };
  if (goType === "[]byte") return { type: "bytes" };
  if (goType.startsWith("[]")) {
    const inner = resolve(pkg, goType.slice(2));
    if (inner.repeated || inner.map) throw new Error(`nested collection ${goType} in ${pkg.key}`);
    return { type: inner.type, repeated: true };
  }
  const mm = /^map\[([\w.]+)\](.+)$/.exec(goType);
  if (mm) {
    const k = resolve(pkg, mm[1]);
    if (k.type !== "string") throw new Error(`non-string map key ${goType}`);
    const v = resolve(pkg, mm[2]);
    if (v.repeated || v.map) throw new Error(`nested collection ${goType}`);
    return { type: v.type, map: true };
  }
  if (GO_SCALARS[goType]) return { type: GO_SCALARS[goType] };
  let target = pkg;
  let name = goType;
  const dot = goType.indexOf(".");
  if (dot > 0) {
    const imp = pkg.imports.get(goType.slice(0, dot));
    if (!imp) throw new Error(`unknown import ${goType} in ${pkg.key}`);
    name = goType.slice(dot + 1);
    const special = SPECIALS[`${imp}.${name}`];
    if (special) return { type: special };
    const k = importToKey.get(imp);
    if (!k) throw new Error(`package ${imp} not configured (needed for ${goType})`);
    target = parsed.get(k);
  } else {
    const special = SPECIALS[`${pkg.importPath}.${name}`];
    if (special) return { type: special };
  }
  if (target.structs.has(name)) return { type: `${target.key}.${name}`, struct: true };
  const under = target.named.get(name);
  if (under) {
    const r = resolve(target, under);
    // A named slice (`type ExtraValue []string`) is a message `{repeated T items = 1}` on the wire and an array in JSON.
    if (r.repeated) return { type: `@List:${r.type}` };
    if (r.map) return r;
    return r;
  }
  throw new Error(`cannot resolve ${goType} in ${pkg.key}`);
}

/** The struct tags' wire kinds have known slips (DeleteOptions.propagationPolicy says varint; the wire has a string),
 * so every row is checked against the package's generated.proto: same number, same name, compatible type. */
const protoCache = new Map();
function protoMessages(pkg) {
  if (protoCache.has(pkg.key)) return protoCache.get(pkg.key);
  const [dir, path] = PACKAGES[pkg.key];
  const src = git(dir, "show", `${rev}:${path}/generated.proto`);
  const msgs = new Map();
  for (const m of src.matchAll(/^message (\w+) \{([\s\S]*?)^\}/gm)) {
    const fields = new Map();
    for (const f of m[2].matchAll(/^\s*(?:(optional|repeated)\s+)?([\w.<>, ]+?)\s+(\w+)\s*=\s*(\d+);/gm)) fields.set(Number(f[4]), { label: f[1], type: f[2], name: f[3] });
    msgs.set(m[1], fields);
  }
  protoCache.set(pkg.key, msgs);
  return msgs;
}
function pbName(pb) {
  return /name=(\w+)/.exec(pb)?.[1];
}
const PROTO_SCALAR = { string: "string", bool: "bool", int32: "int32", int64: "int64", bytes: "bytes", double: "double", float: "float", uint32: "uint32", uint64: "uint64" };
function checkAgainstProto(pkg, msg, num, name, r, wire) {
  const f = protoMessages(pkg).get(msg)?.get(num);
  const where = `${pkg.key}.${msg} field ${num} (${name})`;
  if (!f) throw new Error(`${where}: not in generated.proto`);
  if (name && f.name !== name) throw new Error(`${where}: proto name ${f.name}`);
  const isMap = f.type.startsWith("map<");
  if (isMap !== Boolean(r.map)) throw new Error(`${where}: map mismatch (${f.type})`);
  if ((f.label === "repeated") !== Boolean(r.repeated)) throw new Error(`${where}: repeated mismatch`);
  const ptype = isMap ? f.type.slice(f.type.indexOf(",") + 1, -1).trim() : f.type;
  const want = PROTO_SCALAR[ptype];
  if (want && want !== r.type) throw new Error(`${where}: proto ${ptype} vs ${r.type}`);
  if (!want && !r.type.startsWith("@") && !r.type.endsWith("." + ptype.split(".").pop())) throw new Error(`${where}: proto ${ptype} vs ${r.type}`);
  if (WIRE[wire] && want && !WIRE[wire].includes(want)) console.warn(`note: ${where}: struct tag says ${wire}, generated.proto says ${ptype} (using the proto)`);
}

const WIRE = { varint: ["int32", "int64", "bool", "uint32", "uint64"], bytes: null, fixed64: ["double", "uint64"], fixed32: ["float"], zigzag32: ["int32"], zigzag64: ["int64"] };

const out = new Map(); // message full name → field rows
const queue = [];
for (const [k, kinds] of Object.entries(ROOTS)) for (const kind of kinds) queue.push(`${k}.${kind}`);
while (queue.length) {
  const full = queue.shift();
  if (out.has(full)) continue;
  const i = full.lastIndexOf(".");
  const pkg = parsed.get(full.slice(0, i));
  const fields = pkg.structs.get(full.slice(i + 1));
  if (!fields) throw new Error(`no struct ${full}`);
  const rows = [];
  for (const f of fields) {
    const pb = tagValue(f.tag, "protobuf");
    if (!pb || pb === "-") continue;
    const [wire, num] = pb.split(",");
    const json = tagValue(f.tag, "json") ?? "";
    const [jsonName, ...opts] = json.split(",");
    if (jsonName === "-") continue;
    const r = resolve(pkg, f.goType);
    const inline = f.goName === null && jsonName === "";
    checkAgainstProto(pkg, full.slice(i + 1), Number(num), pbName(pb), r, wire);
    let flags = "";
    if (r.repeated) flags += "r";
    if (r.map) flags += "m";
    if (r.pointer) flags += "p";
    if (opts.includes("omitempty")) flags += "o";
    if (inline) flags += "i";
    const name = inline ? "" : jsonName || f.goName;
    rows.push([Number(num), name, r.type, flags]);
    const ref = r.type.startsWith("@List:") ? r.type.slice(6) : r.type;
    if (/^\w+\.v\w+\.\w+$/.test(ref) && !out.has(ref)) queue.push(ref);
  }
  out.set(full, rows);
}

const byPkg = new Map();
for (const [full, rows] of [...out].sort((a, b) => a[0].localeCompare(b[0]))) {
  const i = full.lastIndexOf(".");
  const k = full.slice(0, i);
  if (!byPkg.has(k)) byPkg.set(k, []);
  byPkg.get(k).push([full.slice(i + 1), rows]);
}
const commit = git(apiGit, "rev-parse", rev).trim();
const mcommit = git(machineryGit, "rev-parse", rev).trim();
const index = [];
for (const [k, msgs] of byPkg) {
  const ident = k.replace(/\.(\w)/g, (_, c) => c.toUpperCase()).replace(/^\w/, (c) => c.toUpperCase());
  const file = k.replace(".", "-");
  const body = msgs.map(([name, rows]) => `  ${name}: [\n${rows.map((r) => `    ${JSON.stringify(r).replace(/,/g, ", ")},`).join("\n")}\n  ],`).join("\n");
  const src = `// Generated by tools/extract-schema.mjs from the Go struct tags of ${PACKAGES[k][2]}
// (k8s.io/api ${commit.slice(0, 12)}, k8s.io/apimachinery ${mcommit.slice(0, 12)}). Do not edit by hand; re-run the tool.
// Row: [field number, JSON name ("" when inlined), type, flags]; see ../schema.ts for the notation.
import type { MessageTable } from "../schema.js";

export const ${ident}: MessageTable = {
${body}
};
`;
  writeFileSync(join(outDir, `${file}.ts`), src);
  index.push([k, ident, file]);
}
const idx = `// Generated by tools/extract-schema.mjs: every package table, keyed by our package name.
import type { MessageTable } from "../schema.js";
${index.map(([, ident, file]) => `import { ${ident} } from "./${file}.js";`).join("\n")}

export const PACKAGE_TABLES: Record<string, MessageTable> = {
${index.map(([k, ident]) => `  "${k}": ${ident},`).join("\n")}
};

/** Top-level kinds accepted in a request body, per package (the extraction roots). */
export const REQUEST_KINDS: Record<string, readonly string[]> = {
${Object.entries(ROOTS).map(([k, kinds]) => `  "${k}": ${JSON.stringify(kinds).replace(/,/g, ", ")},`).join("\n")}
};
`;
writeFileSync(join(outDir, "index.ts"), idx);
console.log(`wrote ${out.size} messages in ${byPkg.size} packages to ${outDir}`);
