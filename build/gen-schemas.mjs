// Generates gen/openapi-schemas.json: OpenAPI v3 component schemas for every built-in kind, named
// as upstream (`io.k8s.api.apps.v1.Deployment`, …), derived from the `kubernetes-types` package,
// which ships upstream's definitions (every field with its type and doc comment) as .d.ts files.
// The same schemas serve /openapi/v3, `kubectl explain`, and server-side field validation.
//
// Facts that the .d.ts files do not carry (patch strategies, list types, integer widths) live in
// the small tables below; they come from the upstream Go struct tags and `+listType` markers of
// k8s.io/api (see /work/shared/notes/smp-fields-k8s-1.32.txt).
//
// Usage: `await generateSchemas()` (build.mjs does this), or `node build/gen-schemas.mjs [--force]`.
import { readFileSync, writeFileSync, mkdirSync, statSync, readdirSync, existsSync, renameSync } from "node:fs";
import { join, relative, dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PKG_DIR = join(ROOT, "node_modules", "kubernetes-types");
const OUT_DIR = join(ROOT, "gen");
const OUT_JSON = join(OUT_DIR, "openapi-schemas.json");
// A tiny ESM re-export plus its declaration: source code imports this pair, so the type checker never
// has to infer a type for the multi-megabyte JSON, and esbuild/tsx still inline the data.
const OUT_JS = join(OUT_DIR, "openapi-schemas.js");
const OUT_DTS = join(OUT_DIR, "openapi-schemas.d.ts");
const SELF = fileURLToPath(import.meta.url);

/** Files the generator relies on; if the package reorganises, the build must stop here, not ship empty schemas. */
const REQUIRED_FILES = ["core/v1.d.ts", "apps/v1.d.ts", "batch/v1.d.ts", "meta/v1.d.ts", "runtime.d.ts", "api/resource.d.ts"];
/** Kinds that must come out of generation, as a sanity floor for the same reason. */
const REQUIRED_SCHEMAS = [
  "io.k8s.api.core.v1.Pod",
  "io.k8s.api.apps.v1.Deployment",
  "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
  "io.k8s.apimachinery.pkg.api.resource.Quantity",
  "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
  "io.k8s.apimachinery.pkg.runtime.RawExtension",
];

const REF_PREFIX = "#/components/schemas/";
const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";

// ---- Facts not present in kubernetes-types ------------------------------------------------------

/** patchStrategy / patchMergeKey struct tags: `<dir>/<version>: <Type>.<field> <strategy> [<mergeKey>]`. */
const PATCH_FACTS = `
admissionregistration/v1: ValidatingAdmissionPolicySpec.matchConditions merge name
admissionregistration/v1: ValidatingAdmissionPolicySpec.variables merge name
admissionregistration/v1: ValidatingWebhookConfiguration.webhooks merge name
admissionregistration/v1: MutatingWebhookConfiguration.webhooks merge name
admissionregistration/v1: ValidatingWebhook.matchConditions merge name
admissionregistration/v1: MutatingWebhook.matchConditions merge name
apps/v1: StatefulSetStatus.conditions merge type
apps/v1: DeploymentSpec.strategy retainKeys
apps/v1: DeploymentStatus.conditions merge type
apps/v1: DaemonSetStatus.conditions merge type
apps/v1: ReplicaSetStatus.conditions merge type
autoscaling/v2: HorizontalPodAutoscalerStatus.conditions merge type
batch/v1: JobStatus.conditions merge type
core/v1: PersistentVolumeClaimStatus.conditions merge type
core/v1: Container.ports merge containerPort
core/v1: Container.env merge name
core/v1: Container.volumeMounts merge mountPath
core/v1: Container.volumeDevices merge devicePath
core/v1: ContainerStatus.volumeMounts merge mountPath
core/v1: ContainerStatus.allocatedResourcesStatus merge name
core/v1: PodSpec.volumes merge,retainKeys name
core/v1: PodSpec.initContainers merge name
core/v1: PodSpec.containers merge name
core/v1: PodSpec.ephemeralContainers merge name
core/v1: PodSpec.imagePullSecrets merge name
core/v1: PodSpec.hostAliases merge ip
core/v1: PodSpec.topologySpreadConstraints merge topologyKey
core/v1: PodSpec.schedulingGates merge name
core/v1: PodSpec.resourceClaims merge,retainKeys name
core/v1: EphemeralContainer.ports merge containerPort
core/v1: EphemeralContainer.env merge name
core/v1: EphemeralContainer.volumeMounts merge mountPath
core/v1: EphemeralContainer.volumeDevices merge devicePath
core/v1: PodStatus.conditions merge type
core/v1: PodStatus.hostIPs merge ip
core/v1: PodStatus.podIPs merge ip
core/v1: PodStatus.resourceClaimStatuses merge,retainKeys name
core/v1: ReplicationControllerStatus.conditions merge type
core/v1: ServiceStatus.conditions merge type
core/v1: ServiceSpec.ports merge port
core/v1: ServiceAccount.secrets merge name
core/v1: NodeSpec.podCIDRs merge
core/v1: NodeStatus.conditions merge type
core/v1: NodeStatus.addresses merge type
core/v1: NamespaceStatus.conditions merge type
core/v1: ComponentStatus.conditions merge type
flowcontrol/v1: FlowSchemaStatus.conditions merge type
flowcontrol/v1: PriorityLevelConfigurationStatus.conditions merge type
policy/v1: PodDisruptionBudgetSpec.selector replace
policy/v1: PodDisruptionBudgetStatus.conditions merge type
storage/v1: CSINodeSpec.drivers merge name
meta/v1: ObjectMeta.ownerReferences merge uid
meta/v1: ObjectMeta.finalizers merge
`;

/** `+listType` (map or set) and `+listMapKey` markers of the associative lists: `<dir>/<version>: <Type>.<field> <type> [<keys,…>]`. */
const LIST_FACTS = `
admissionregistration/v1: ValidatingAdmissionPolicyStatus.conditions map type
admissionregistration/v1: ValidatingAdmissionPolicySpec.matchConditions map name
admissionregistration/v1: ValidatingAdmissionPolicySpec.variables map name
admissionregistration/v1: ValidatingAdmissionPolicyBindingSpec.validationActions set
admissionregistration/v1: ValidatingWebhookConfiguration.webhooks map name
admissionregistration/v1: MutatingWebhookConfiguration.webhooks map name
admissionregistration/v1: ValidatingWebhook.matchConditions map name
admissionregistration/v1: MutatingWebhook.matchConditions map name
apps/v1: StatefulSetStatus.conditions map type
apps/v1: DeploymentStatus.conditions map type
apps/v1: DaemonSetStatus.conditions map type
apps/v1: ReplicaSetStatus.conditions map type
autoscaling/v2: HorizontalPodAutoscalerStatus.conditions map type
batch/v1: PodFailurePolicyOnExitCodesRequirement.values set
batch/v1: UncountedTerminatedPods.succeeded set
batch/v1: UncountedTerminatedPods.failed set
certificates/v1: CertificateSigningRequestStatus.conditions map type
core/v1: PersistentVolumeClaimStatus.conditions map type
core/v1: ResourceRequirements.claims map name
core/v1: Container.ports map containerPort,protocol
core/v1: Container.env map name
core/v1: Container.volumeMounts map mountPath
core/v1: Container.volumeDevices map devicePath
core/v1: ContainerStatus.volumeMounts map mountPath
core/v1: ContainerStatus.allocatedResourcesStatus map name
core/v1: PodSpec.volumes map name
core/v1: PodSpec.initContainers map name
core/v1: PodSpec.containers map name
core/v1: PodSpec.ephemeralContainers map name
core/v1: PodSpec.imagePullSecrets map name
core/v1: PodSpec.hostAliases map ip
core/v1: PodSpec.topologySpreadConstraints map topologyKey,whenUnsatisfiable
core/v1: PodSpec.schedulingGates map name
core/v1: PodSpec.resourceClaims map name
core/v1: EphemeralContainer.ports map containerPort,protocol
core/v1: EphemeralContainer.env map name
core/v1: EphemeralContainer.volumeMounts map mountPath
core/v1: EphemeralContainer.volumeDevices map devicePath
core/v1: PodStatus.conditions map type
core/v1: PodStatus.podIPs map ip
core/v1: PodStatus.resourceClaimStatuses map name
core/v1: ReplicationControllerStatus.conditions map type
core/v1: ServiceStatus.conditions map type
core/v1: ServiceSpec.ports map port,protocol
core/v1: ServiceAccount.secrets map name
core/v1: NodeSpec.podCIDRs set
core/v1: NodeStatus.conditions map type
core/v1: NodeStatus.addresses map type
core/v1: NamespaceStatus.conditions map type
core/v1: ComponentStatus.conditions map type
discovery/v1: Endpoint.addresses set
flowcontrol/v1: ResourcePolicyRule.verbs set
flowcontrol/v1: ResourcePolicyRule.apiGroups set
flowcontrol/v1: ResourcePolicyRule.resources set
flowcontrol/v1: ResourcePolicyRule.namespaces set
flowcontrol/v1: NonResourcePolicyRule.verbs set
flowcontrol/v1: NonResourcePolicyRule.nonResourceURLs set
flowcontrol/v1: FlowSchemaStatus.conditions map type
flowcontrol/v1: PriorityLevelConfigurationStatus.conditions map type
policy/v1: PodDisruptionBudgetStatus.conditions map type
storage/v1: CSIDriverSpec.volumeLifecycleModes set
storage/v1: CSINodeSpec.drivers map name
meta/v1: ObjectMeta.finalizers set
meta/v1: ObjectMeta.ownerReferences map uid
`;

/**
 * `+structType=atomic` types (SSA owns them as one value; upstream marks the schema with
 * `x-kubernetes-map-type: atomic`), then `+mapType` fields: `<dir>/<version>: <Type> …` and
 * `<dir>/<version>: <Type>.<field>=<granular|atomic> …`.
 */
const MAP_TYPE_FACTS = `
admissionregistration/v1: ParamKind Variable ParamRef MatchResources NamedRuleWithOperations
autoscaling/v1: CrossVersionObjectReference
autoscaling/v2: CrossVersionObjectReference
core/v1: SecretReference ObjectFieldSelector ResourceFieldSelector ConfigMapKeySelector SecretKeySelector NodeSelector NodeSelectorTerm TopologySelectorTerm EndpointAddress EndpointPort ObjectReference LocalObjectReference TypedLocalObjectReference ScopeSelector
discovery/v1: EndpointPort
networking/v1: ServiceBackendPort
rbac/v1: Subject RoleRef
meta/v1: LabelSelector OwnerReference
core/v1: PersistentVolumeClaimStatus.allocatedResourceStatuses=granular PersistentVolumeSpec.claimRef=granular PodSpec.nodeSelector=atomic ReplicationControllerSpec.selector=atomic ServiceSpec.selector=atomic
node/v1: Scheduling.nodeSelector=atomic
`;

/**
 * Go `int64` fields (every other integer is `int32`). kubernetes-types types both as `number`, so the
 * width is a fact from k8s.io/api and apimachinery. `<dir>/<version>: <Type>.<field> …`.
 */
const INT64_FACTS = `
admissionregistration/v1: ValidatingAdmissionPolicyStatus.observedGeneration
apps/v1: ControllerRevision.revision DaemonSetStatus.observedGeneration DeploymentStatus.observedGeneration ReplicaSetStatus.observedGeneration StatefulSetStatus.observedGeneration
authentication/v1: TokenRequestSpec.expirationSeconds
autoscaling/v1: HorizontalPodAutoscalerStatus.observedGeneration
autoscaling/v2: HorizontalPodAutoscalerStatus.observedGeneration
batch/v1: CronJobSpec.startingDeadlineSeconds JobSpec.activeDeadlineSeconds
core/v1: ClusterTrustBundleProjection.user ConfigMapVolumeSource.defaultUser ContainerImage.sizeBytes DownwardAPIVolumeFile.user KeyToPath.user PodLogOptions.limitBytes PodLogOptions.sinceSeconds PodLogOptions.tailLines PodSecurityContext.fsGroup PodSecurityContext.runAsGroup PodSecurityContext.runAsUser PodSecurityContext.supplementalGroups PodSpec.activeDeadlineSeconds PodSpec.terminationGracePeriodSeconds Probe.terminationGracePeriodSeconds ReplicationControllerStatus.observedGeneration SecurityContext.runAsGroup SecurityContext.runAsUser ServiceAccountTokenProjection.expirationSeconds SleepAction.seconds Toleration.tolerationSeconds
meta/v1: ObjectMeta.generation ObjectMeta.deletionGracePeriodSeconds ListMeta.remainingItemCount DeleteOptions.gracePeriodSeconds Condition.observedGeneration
policy/v1: PodDisruptionBudgetStatus.observedGeneration
storage/v1: TokenRequest.expirationSeconds
apiextensions/v1: JSONSchemaProps.maxItems JSONSchemaProps.maxLength JSONSchemaProps.maxProperties JSONSchemaProps.minItems JSONSchemaProps.minLength JSONSchemaProps.minProperties CustomResourceDefinitionCondition.observedGeneration
`;

/** Go `float64` fields (JSON numbers with a fraction), only in the CRD schema type. */
const DOUBLE_FACTS = `
apiextensions/v1: JSONSchemaProps.maximum JSONSchemaProps.minimum JSONSchemaProps.multipleOf
`;

/**
 * Fields upstream has but kubernetes-types leaves out (its generator skips `x-` names): the CRD
 * schema extensions. `<dir>/<version>: <Type>.<field> <boolean|string|string[]|Type[]> <description>`.
 */
const EXTRA_FIELDS = `
apiextensions/v1: JSONSchemaProps.x-kubernetes-embedded-resource boolean x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.
apiextensions/v1: JSONSchemaProps.x-kubernetes-int-or-string boolean x-kubernetes-int-or-string specifies that this value is either an integer or a string.
apiextensions/v1: JSONSchemaProps.x-kubernetes-list-map-keys string[] x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type \`map\` by specifying the keys used as the index of the map.
apiextensions/v1: JSONSchemaProps.x-kubernetes-list-type string x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.
apiextensions/v1: JSONSchemaProps.x-kubernetes-map-type string x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.
apiextensions/v1: JSONSchemaProps.x-kubernetes-preserve-unknown-fields boolean x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.
apiextensions/v1: JSONSchemaProps.x-kubernetes-validations ValidationRule[] x-kubernetes-validations describes a list of validation rules written in the CEL expression language.
`;

/** Source file (relative to the package, without .d.ts) → upstream Go package prefix of the schema names. */
function packagePrefix(moduleId) {
  switch (moduleId) {
    case "runtime":
      return "io.k8s.apimachinery.pkg.runtime";
    case "api/resource":
      return "io.k8s.apimachinery.pkg.api.resource";
    case "version":
      return "io.k8s.apimachinery.pkg.version";
    case "meta/v1":
      return "io.k8s.apimachinery.pkg.apis.meta.v1";
  }
  const m = /^([a-z0-9]+)\/(v[0-9]+(?:(?:alpha|beta)[0-9]+)?)$/.exec(moduleId);
  if (!m) throw new Error(`gen-schemas: unexpected file kubernetes-types/${moduleId}.d.ts; the package layout changed, update build/gen-schemas.mjs`);
  if (m[1] === "apiextensions") return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${m[2]}`;
  return `io.k8s.api.${m[1]}.${m[2]}`;
}

function parseFacts(text) {
  const out = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const [gv, rest] = line.split(": ");
    out.push({ gv, words: rest.split(" ") });
  }
  return out;
}

/** Facts keyed by `<schema name>.<field>`. */
function factTables() {
  const patch = new Map();
  for (const { gv, words } of parseFacts(PATCH_FACTS)) {
    const [path, strategy, key] = words;
    patch.set(`${packagePrefix(gv)}.${path}`, { strategy, key });
  }
  const list = new Map();
  for (const { gv, words } of parseFacts(LIST_FACTS)) {
    const [path, type, keys] = words;
    list.set(`${packagePrefix(gv)}.${path}`, { type, keys: keys ? keys.split(",") : undefined });
  }
  const int64 = new Set();
  for (const { gv, words } of parseFacts(INT64_FACTS)) for (const w of words) int64.add(`${packagePrefix(gv)}.${w}`);
  const double = new Set();
  for (const { gv, words } of parseFacts(DOUBLE_FACTS)) for (const w of words) double.add(`${packagePrefix(gv)}.${w}`);
  const atomicTypes = new Set();
  const mapType = new Map();
  for (const { gv, words } of parseFacts(MAP_TYPE_FACTS)) {
    for (const w of words) {
      const [path, type] = w.split("=");
      if (type) mapType.set(`${packagePrefix(gv)}.${path}`, type);
      else atomicTypes.add(`${packagePrefix(gv)}.${path}`);
    }
  }
  return { patch, list, int64, double, atomicTypes, mapType };
}

// ---- Reading the .d.ts files --------------------------------------------------------------------

function listDeclarationFiles() {
  for (const f of REQUIRED_FILES) {
    if (!existsSync(join(PKG_DIR, f))) {
      throw new Error(`gen-schemas: kubernetes-types/${f} is missing; the package layout changed (or it is not installed), update build/gen-schemas.mjs`);
    }
  }
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith(".d.ts")) files.push(p);
    }
  };
  walk(PKG_DIR);
  return files;
}

function moduleIdOf(file) {
  return relative(PKG_DIR, file).split(sep).join("/").replace(/\.d\.ts$/, "");
}

/** Resolves an import specifier (`../meta/v1`) of module `from` to a module id (`meta/v1`). */
function resolveModule(from, specifier) {
  const parts = from.split("/").slice(0, -1);
  for (const seg of specifier.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/**
 * Parses every declaration file with the TypeScript compiler API (TypeScript 7's `unstable/sync`
 * API, which drives the native compiler and hands back the syntax tree) and returns one entry per
 * exported interface or type alias.
 */
async function readDeclarations(files) {
  const { API } = await import("typescript/unstable/sync");
  const { SyntaxKind, getTextOfJSDocComment } = await import("typescript/unstable/ast");
  const api = new API({ cwd: ROOT });
  try {
    const snapshot = api.updateSnapshot({ openFiles: files });
    const decls = [];
    for (const file of files) {
      const project = snapshot.getDefaultProjectForFile(file);
      const sf = project?.program.getSourceFile(file);
      if (!sf) throw new Error(`gen-schemas: TypeScript could not load ${file}`);
      const moduleId = moduleIdOf(file);
      const imports = new Map();
      for (const st of sf.statements) {
        if (st.kind === SyntaxKind.ImportDeclaration) {
          const from = resolveModule(moduleId, st.moduleSpecifier.text);
          for (const el of st.importClause?.namedBindings?.elements ?? []) imports.set(el.name.text, from);
        } else if (st.kind === SyntaxKind.InterfaceDeclaration) {
          if (st.heritageClauses?.length) throw new Error(`gen-schemas: ${moduleId} ${st.name.text} uses 'extends', which the generator does not handle`);
          const members = [];
          for (const m of st.members) {
            if (m.kind !== SyntaxKind.PropertySignature) throw new Error(`gen-schemas: ${moduleId} ${st.name.text}: unexpected member ${SyntaxKind[m.kind]}`);
            members.push({ name: m.name.text, optional: m.postfixToken?.kind === SyntaxKind.QuestionToken, type: typeOf(m.type), doc: docOf(m) });
          }
          decls.push({ moduleId, imports, name: st.name.text, doc: docOf(st), members });
        } else if (st.kind === SyntaxKind.TypeAliasDeclaration) {
          decls.push({ moduleId, imports, name: st.name.text, doc: docOf(st), alias: typeOf(st.type) });
        } else {
          throw new Error(`gen-schemas: ${moduleId}: unexpected top-level ${SyntaxKind[st.kind]}`);
        }
      }
    }
    return decls;
  } finally {
    api.close();
  }

  function docOf(node) {
    const parts = (node.jsDoc ?? []).map((d) => getTextOfJSDocComment(d.comment) ?? "").filter(Boolean);
    return parts.join("\n\n");
  }

  /** A small, closed type language: the generator throws on anything else so a layout change is loud. */
  function typeOf(t) {
    switch (t.kind) {
      case SyntaxKind.StringKeyword:
        return { k: "string" };
      case SyntaxKind.NumberKeyword:
        return { k: "number" };
      case SyntaxKind.BooleanKeyword:
        return { k: "boolean" };
      case SyntaxKind.LiteralType:
        if (t.literal.kind === SyntaxKind.StringLiteral) return { k: "literal", value: t.literal.text };
        if (t.literal.kind === SyntaxKind.TrueKeyword || t.literal.kind === SyntaxKind.FalseKeyword) return { k: "boolean" };
        break;
      case SyntaxKind.ArrayType:
        return { k: "array", items: typeOf(t.elementType) };
      case SyntaxKind.UnionType:
        return { k: "union", types: t.types.map(typeOf) };
      case SyntaxKind.TypeReference: {
        const name = t.typeName.text;
        if (name === "Array") return { k: "array", items: typeOf(t.typeArguments[0]) };
        if (name === "Record") return { k: "map", values: typeOf(t.typeArguments[1]) };
        if (t.typeArguments?.length) break;
        return { k: "ref", name };
      }
      case SyntaxKind.TypeLiteral: {
        const m = t.members;
        if (m.length === 1 && m[0].kind === SyntaxKind.IndexSignature) return { k: "map", values: typeOf(m[0].type) };
        break;
      }
    }
    throw new Error(`gen-schemas: unsupported type syntax ${SyntaxKind[t.kind]} in kubernetes-types; update build/gen-schemas.mjs`);
  }
}

// ---- Building the schemas -----------------------------------------------------------------------

function buildSchemas(decls) {
  const facts = factTables();
  const byModule = new Map();
  for (const d of decls) {
    if (!byModule.has(d.moduleId)) byModule.set(d.moduleId, new Set());
    byModule.get(d.moduleId).add(d.name);
  }
  const schemas = {};

  for (const d of decls) {
    const schemaName = `${packagePrefix(d.moduleId)}.${d.name}`;
    const refName = (name) => {
      const mod = d.imports.get(name) ?? d.moduleId;
      if (!byModule.get(mod)?.has(name)) throw new Error(`gen-schemas: ${d.moduleId} ${d.name}: cannot resolve type ${name}`);
      return `${packagePrefix(mod)}.${name}`;
    };
    const convert = (t, fieldKey) => {
      switch (t.k) {
        case "string":
        case "literal":
          return { type: "string" };
        case "boolean":
          return { type: "boolean" };
        case "number":
          if (facts.double.has(fieldKey)) return { type: "number", format: "double" };
          return { type: "integer", format: facts.int64.has(fieldKey) ? "int64" : "int32" };
        case "array":
          return { type: "array", items: convert(t.items, fieldKey) };
        case "map":
          return { type: "object", additionalProperties: convert(t.values, fieldKey) };
        case "ref":
          return { $ref: REF_PREFIX + refName(t.name) };
        case "union":
          // kubernetes-types inlines intstr.IntOrString as `number | string`.
          if (t.types.length === 2 && t.types.some((x) => x.k === "number") && t.types.some((x) => x.k === "string")) return { $ref: REF_PREFIX + INT_OR_STRING };
          // Other unions (JSONSchemaPropsOr*) hold any JSON: leave them untyped, as upstream does.
          return {};
      }
      throw new Error(`gen-schemas: unexpected type ${t.k}`);
    };

    if (d.alias) {
      schemas[schemaName] = aliasSchema(schemaName, d, convert);
      continue;
    }
    const s = {};
    if (d.doc) s.description = d.doc;
    if (d.members.length === 0) {
      // Opaque holders of arbitrary JSON (RawExtension, FieldsV1, apiextensions JSON).
      if (d.name !== "JSON") s.type = "object";
      s["x-kubernetes-preserve-unknown-fields"] = true;
      schemas[schemaName] = s;
      continue;
    }
    s.type = "object";
    const properties = {};
    const required = [];
    let apiVersion, kind;
    for (const m of d.members) {
      const fieldKey = `${schemaName}.${m.name}`;
      let p = convert(m.type, fieldKey);
      if (m.type.k === "literal" && m.name === "apiVersion") apiVersion = m.type.value;
      if (m.type.k === "literal" && m.name === "kind") kind = m.type.value;
      if (p.$ref && m.doc) p = { allOf: [p] }; // OpenAPI v3 ignores siblings of $ref, so upstream wraps it.
      if (m.doc) p.description = m.doc;
      const patch = facts.patch.get(fieldKey);
      if (patch) {
        if (patch.key) p["x-kubernetes-patch-merge-key"] = patch.key;
        p["x-kubernetes-patch-strategy"] = patch.strategy;
      }
      const mapType = facts.mapType.get(fieldKey);
      if (mapType) p["x-kubernetes-map-type"] = mapType;
      const list = facts.list.get(fieldKey);
      if (list) {
        if (list.keys) p["x-kubernetes-list-map-keys"] = list.keys;
        p["x-kubernetes-list-type"] = list.type;
      }
      properties[m.name] = p;
      if (!m.optional) required.push(m.name);
    }
    s.properties = properties;
    if (required.length) s.required = required;
    if (facts.atomicTypes.has(schemaName)) s["x-kubernetes-map-type"] = "atomic";
    if (apiVersion && kind) {
      const slash = apiVersion.indexOf("/");
      const group = slash < 0 ? "" : apiVersion.slice(0, slash);
      const version = apiVersion.slice(slash + 1);
      s["x-kubernetes-group-version-kind"] = [{ group, kind, version }];
    }
    schemas[schemaName] = s;
  }

  for (const { gv, words } of parseFacts(EXTRA_FIELDS)) {
    const [path, type, ...doc] = words;
    const dot = path.indexOf(".");
    const owner = schemas[`${packagePrefix(gv)}.${path.slice(0, dot)}`];
    if (!owner?.properties) throw new Error(`gen-schemas: extra field ${gv} ${path} names an unknown type`);
    let p;
    if (type === "boolean" || type === "string") p = { type };
    else if (type === "string[]") p = { type: "array", items: { type: "string" } };
    else if (type.endsWith("[]")) p = { type: "array", items: { $ref: `${REF_PREFIX}${packagePrefix(gv)}.${type.slice(0, -2)}` } };
    else throw new Error(`gen-schemas: extra field type ${type} not supported`);
    owner.properties[path.slice(dot + 1)] = { ...p, description: doc.join(" ") };
  }

  schemas[INT_OR_STRING] = {
    description:
      "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.",
    format: "int-or-string",
    oneOf: [{ type: "integer" }, { type: "string" }],
  };

  for (const name of REQUIRED_SCHEMAS) {
    if (!schemas[name]) throw new Error(`gen-schemas: schema ${name} was not generated; the kubernetes-types layout changed`);
  }
  // Optional fields must come out optional (the syntax tree's spelling of `?` has changed before).
  const deploymentSpecRequired = schemas["io.k8s.api.apps.v1.DeploymentSpec"]?.required?.join(",");
  if (deploymentSpecRequired !== "selector,template") {
    throw new Error(`gen-schemas: DeploymentSpec.required came out as [${deploymentSpecRequired}], expected [selector,template]; optional-field detection broke`);
  }
  for (const name of facts.atomicTypes) if (!schemas[name]) throw new Error(`gen-schemas: map-type fact names unknown type ${name}`);
  for (const [key, table] of [["patch", facts.patch], ["list", facts.list], ["map-type", facts.mapType]]) {
    for (const fieldKey of table.keys()) {
      const dot = fieldKey.lastIndexOf(".");
      const owner = schemas[fieldKey.slice(0, dot)];
      // Fields newer than the installed kubernetes-types are fine to miss; a missing owner type is a typo.
      if (!owner) throw new Error(`gen-schemas: ${key} fact names unknown type ${fieldKey.slice(0, dot)}`);
    }
  }
  return schemas;
}

/** Named scalar types keep upstream's special encodings. */
function aliasSchema(schemaName, d, convert) {
  const s = {};
  if (d.doc) s.description = d.doc;
  switch (schemaName) {
    case "io.k8s.apimachinery.pkg.api.resource.Quantity":
      s.oneOf = [{ type: "string" }, { type: "number" }];
      return s;
    case "io.k8s.apimachinery.pkg.apis.meta.v1.Time":
    case "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime":
      return { ...s, type: "string", format: "date-time" };
  }
  const inner = convert(d.alias, schemaName);
  if (inner.$ref) return { ...s, allOf: [inner] };
  return { ...s, ...inner };
}

// ---- Entry point --------------------------------------------------------------------------------

function mtime(p) {
  return statSync(p).mtimeMs;
}

/**
 * Writes gen/openapi-schemas.json (and the gen/openapi-schemas.js/.d.ts pair that source imports)
 * unless they are newer than both the kubernetes-types package and this generator.
 *
 * @example
 *   await generateSchemas();              // build.mjs, before bundling
 *   await generateSchemas({ force: true }); // regenerate regardless of timestamps
 */
export async function generateSchemas({ force = false, quiet = false } = {}) {
  const pkgJson = join(PKG_DIR, "package.json");
  if (!existsSync(pkgJson)) throw new Error("gen-schemas: node_modules/kubernetes-types is not installed (npm install)");
  const sourceTime = Math.max(mtime(pkgJson), mtime(SELF), mtime(PKG_DIR));
  if (!force && [OUT_JSON, OUT_JS, OUT_DTS].every((p) => existsSync(p) && mtime(p) > sourceTime)) return { skipped: true };

  const started = Date.now();
  const files = listDeclarationFiles();
  const decls = await readDeclarations(files);
  const schemas = buildSchemas(decls);
  const version = JSON.parse(readFileSync(pkgJson, "utf8")).version;

  mkdirSync(OUT_DIR, { recursive: true });
  // Written through a rename so a test process importing gen/ while another regenerates never sees half a file.
  const writeAtomic = (path, text) => {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  };
  writeAtomic(OUT_JSON, JSON.stringify({ source: `kubernetes-types@${version}`, schemas }));
  writeAtomic(OUT_JS, `// Generated by build/gen-schemas.mjs.\nimport data from "./openapi-schemas.json" with { type: "json" };\nexport default data;\n`);
  writeAtomic(
    OUT_DTS,
    `// Generated by build/gen-schemas.mjs.\ndeclare const data: { source: string; schemas: Record<string, Record<string, unknown>> };\nexport default data;\n`,
  );
  if (!quiet) console.log(`generated ${relative(ROOT, OUT_JSON)}: ${Object.keys(schemas).length} schemas from kubernetes-types@${version} in ${Date.now() - started} ms`);
  return { skipped: false, count: Object.keys(schemas).length };
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  await generateSchemas({ force: process.argv.includes("--force") });
}
