/**
 * Field-level patch facts for the built-in kinds, expressed per Go type as upstream declares them:
 * strategic-merge-patch tags (`patchStrategy`, `patchMergeKey`) and server-side-apply markers
 * (`+listType`, `+listMapKey`, `+mapType`, `+structType`). Facts come from the k8s.io/api and
 * apimachinery meta/v1 `types.go` of Kubernetes 1.32 (see /work/shared/notes/smp-fields-k8s-1.32.txt).
 *
 * A path is resolved by walking types from the kind's root type, so `spec.template.spec.containers`
 * of a Deployment is found as DeploymentSpec.template → PodTemplateSpec.spec → PodSpec.containers,
 * and every PodSpec-bearing kind gets the same rules without listing its paths.
 *
 * Anything not listed is treated as upstream treats an untagged field: maps merge field by field,
 * lists are atomic (replaced as a whole).
 */

/** One strategy token of an SMP `patchStrategy` tag ("merge,retainKeys" is two tokens). */
export type PatchStrategy = "merge" | "replace" | "retainKeys";

/** What we know about one field of a type. */
export interface FieldSchema {
  /** Named type of the value; for a list or a map[string]X field, the type of each element. */
  type?: string;
  /** SMP `patchStrategy` tokens. */
  patchStrategy?: readonly PatchStrategy[];
  /** SMP `patchMergeKey` (lists of objects with the merge strategy). */
  patchMergeKey?: string;
  /** SSA `+listType`; lists default to "atomic". */
  listType?: "atomic" | "set" | "map";
  /** SSA `+listMapKey`s of a `listType=map` list, in declaration order. */
  listMapKeys?: readonly string[];
  /** Defaults the schema gives missing list-map key fields (ports' `protocol` is "TCP"). */
  listMapKeyDefaults?: Readonly<Record<string, string | number>>;
  /**
   * The Go field has no `omitempty`, so upstream's typed zero object already carries it (as null):
   * an update that fills it does not own the field itself, only what it puts inside.
   */
  serializedWhenEmpty?: boolean;
  /** Set for map[string]X fields (their keys are data, not named fields); "atomic" for `+mapType=atomic`. */
  mapType?: "granular" | "atomic";
}

/** A Go struct type: its declared fields, and whether SSA treats it as one value (`+structType=atomic`). */
export interface TypeSchema {
  fields: Readonly<Record<string, FieldSchema>>;
  atomic?: boolean;
}

/** Name of the type every `+structType=atomic` reference points to: no fields, owned as one value. */
export const ATOMIC_STRUCT = "atomic";

// Small builders keep the table readable: one line per upstream tag.
function mergeListOf(type: string | undefined, patchMergeKey: string, listMapKeys: readonly string[] = [patchMergeKey], extra: PatchStrategy[] = []): FieldSchema {
  return { type, patchStrategy: ["merge", ...extra], patchMergeKey, listType: "map", listMapKeys };
}
const conditions: FieldSchema = mergeListOf(undefined, "type");
const granularMap: FieldSchema = { mapType: "granular" };
const atomicMap: FieldSchema = { mapType: "atomic" };
const atomicStruct: FieldSchema = { type: ATOMIC_STRUCT };
const statusWithConditions = (): TypeSchema => ({ fields: { conditions } });

const containerFields: Record<string, FieldSchema> = {
  ports: { ...mergeListOf("ContainerPort", "containerPort", ["containerPort", "protocol"]), listMapKeyDefaults: { protocol: "TCP" } },
  env: mergeListOf("EnvVar", "name"),
  volumeMounts: mergeListOf(undefined, "mountPath"),
  volumeDevices: mergeListOf(undefined, "devicePath"),
  resources: { type: "ResourceRequirements" },
  envFrom: { type: "EnvFromSource" },
  livenessProbe: { type: "Probe" },
  readinessProbe: { type: "Probe" },
  startupProbe: { type: "Probe" },
};

/** Every Go type we describe, by name. */
export const SCHEMA_TYPES: Readonly<Record<string, TypeSchema>> = {
  [ATOMIC_STRUCT]: { fields: {}, atomic: true },

  // meta/v1
  ObjectMeta: {
    fields: {
      labels: granularMap,
      annotations: granularMap,
      finalizers: { patchStrategy: ["merge"], listType: "set" },
      ownerReferences: mergeListOf(ATOMIC_STRUCT, "uid"),
      managedFields: { listType: "atomic" },
    },
  },
  LabelSelector: { fields: { matchLabels: granularMap }, atomic: true },

  // core/v1: pods and their parts
  PodTemplateSpec: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "PodSpec" } } },
  PodSpec: {
    fields: {
      volumes: mergeListOf("Volume", "name", ["name"], ["retainKeys"]),
      initContainers: mergeListOf("Container", "name"),
      containers: { ...mergeListOf("Container", "name"), serializedWhenEmpty: true },
      ephemeralContainers: mergeListOf("Container", "name"),
      imagePullSecrets: mergeListOf(ATOMIC_STRUCT, "name"),
      hostAliases: mergeListOf(undefined, "ip"),
      topologySpreadConstraints: mergeListOf("TopologySpreadConstraint", "topologyKey", ["topologyKey", "whenUnsatisfiable"]),
      schedulingGates: mergeListOf(undefined, "name"),
      resourceClaims: mergeListOf(undefined, "name", ["name"], ["retainKeys"]),
      nodeSelector: atomicMap,
      overhead: granularMap,
      affinity: { type: "Affinity" },
    },
  },
  Container: { fields: containerFields },
  ContainerPort: { fields: {} },
  EnvVar: { fields: { valueFrom: { type: "EnvVarSource" } } },
  EnvVarSource: { fields: { fieldRef: atomicStruct, resourceFieldRef: atomicStruct, configMapKeyRef: atomicStruct, secretKeyRef: atomicStruct, fileKeyRef: atomicStruct } },
  EnvFromSource: { fields: {} },
  ResourceRequirements: { fields: { limits: granularMap, requests: granularMap, claims: { listType: "map", listMapKeys: ["name"] } } },
  Probe: { fields: {} },
  Volume: { fields: { secret: { type: "SecretVolumeSource" }, configMap: { type: "ConfigMapVolumeSource" } } },
  SecretVolumeSource: { fields: {} },
  ConfigMapVolumeSource: { fields: {} },
  TopologySpreadConstraint: { fields: { labelSelector: { type: "LabelSelector" } } },
  Affinity: { fields: { nodeAffinity: { type: "NodeAffinity" } } },
  NodeAffinity: { fields: { requiredDuringSchedulingIgnoredDuringExecution: atomicStruct } },
  PodStatus: {
    fields: {
      conditions,
      podIPs: mergeListOf(undefined, "ip"),
      hostIPs: { patchStrategy: ["merge"], patchMergeKey: "ip", listType: "atomic" },
      resourceClaimStatuses: mergeListOf(undefined, "name", ["name"], ["retainKeys"]),
      initContainerStatuses: { type: "ContainerStatus", listType: "atomic" },
      containerStatuses: { type: "ContainerStatus", listType: "atomic" },
      ephemeralContainerStatuses: { type: "ContainerStatus", listType: "atomic" },
    },
  },
  ContainerStatus: { fields: { volumeMounts: mergeListOf(undefined, "mountPath"), allocatedResourcesStatus: mergeListOf(undefined, "name") } },

  // core/v1: kinds
  Pod: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "PodSpec" }, status: { type: "PodStatus" } } },
  PodTemplate: { fields: { metadata: { type: "ObjectMeta" }, template: { type: "PodTemplateSpec" } } },
  ReplicationController: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "ReplicationControllerSpec" }, status: { type: "StatusWithConditions" } } },
  ReplicationControllerSpec: { fields: { selector: atomicMap, template: { type: "PodTemplateSpec" } } },
  Service: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "ServiceSpec" }, status: { type: "StatusWithConditions" } } },
  ServiceSpec: { fields: { ports: { ...mergeListOf(undefined, "port", ["port", "protocol"]), listMapKeyDefaults: { protocol: "TCP" } }, selector: atomicMap } },
  ServiceAccount: { fields: { metadata: { type: "ObjectMeta" }, secrets: mergeListOf(ATOMIC_STRUCT, "name"), imagePullSecrets: { listType: "atomic" } } },
  Node: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "NodeSpec" }, status: { type: "NodeStatus" } } },
  NodeSpec: { fields: { podCIDRs: { patchStrategy: ["merge"], listType: "set" } } },
  NodeStatus: { fields: { conditions, addresses: mergeListOf(undefined, "type"), capacity: granularMap, allocatable: granularMap } },
  Namespace: { fields: { metadata: { type: "ObjectMeta" }, status: { type: "StatusWithConditions" } } },
  PersistentVolumeClaim: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "PersistentVolumeClaimSpec" }, status: { type: "StatusWithConditions" } } },
  PersistentVolumeClaimSpec: { fields: { selector: { type: "LabelSelector" }, resources: { type: "ResourceRequirements" } } },
  ComponentStatus: { fields: { metadata: { type: "ObjectMeta" }, conditions } },
  ConfigMap: { fields: { metadata: { type: "ObjectMeta" }, data: granularMap, binaryData: granularMap } },
  Secret: { fields: { metadata: { type: "ObjectMeta" }, data: granularMap, stringData: granularMap } },
  StatusWithConditions: statusWithConditions(),

  // apps/v1
  Deployment: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "DeploymentSpec" }, status: { type: "StatusWithConditions" } } },
  DeploymentSpec: {
    fields: {
      selector: { type: "LabelSelector" },
      template: { type: "PodTemplateSpec" },
      strategy: { patchStrategy: ["retainKeys"] },
    },
  },
  ReplicaSet: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "WorkloadSpec" }, status: { type: "StatusWithConditions" } } },
  DaemonSet: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "WorkloadSpec" }, status: { type: "StatusWithConditions" } } },
  StatefulSet: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "StatefulSetSpec" }, status: { type: "StatusWithConditions" } } },
  StatefulSetSpec: { fields: { selector: { type: "LabelSelector" }, template: { type: "PodTemplateSpec" }, volumeClaimTemplates: { listType: "atomic" } } },
  /** ReplicaSetSpec and DaemonSetSpec share these tagged fields. */
  WorkloadSpec: { fields: { selector: { type: "LabelSelector" }, template: { type: "PodTemplateSpec" } } },

  // batch/v1
  Job: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "JobSpec" }, status: { type: "JobStatus" } } },
  JobSpec: { fields: { selector: { type: "LabelSelector" }, template: { type: "PodTemplateSpec" } } },
  JobStatus: { fields: { conditions: { patchStrategy: ["merge"], patchMergeKey: "type", listType: "atomic" } } },
  CronJob: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "CronJobSpec" } } },
  CronJobSpec: { fields: { jobTemplate: { type: "JobTemplateSpec" } } },
  JobTemplateSpec: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "JobSpec" } } },

  // policy/v1, autoscaling/v2, storage/v1, flowcontrol/v1, admissionregistration/v1
  PodDisruptionBudget: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "PodDisruptionBudgetSpec" }, status: { type: "StatusWithConditions" } } },
  PodDisruptionBudgetSpec: { fields: { selector: { type: "LabelSelector", patchStrategy: ["replace"] } } },
  HorizontalPodAutoscaler: { fields: { metadata: { type: "ObjectMeta" }, status: { type: "StatusWithConditions" } } },
  CSINode: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "CSINodeSpec" } } },
  CSINodeSpec: { fields: { drivers: mergeListOf(undefined, "name") } },
  FlowSchema: { fields: { metadata: { type: "ObjectMeta" }, status: { type: "StatusWithConditions" } } },
  PriorityLevelConfiguration: { fields: { metadata: { type: "ObjectMeta" }, status: { type: "StatusWithConditions" } } },
  ValidatingWebhookConfiguration: { fields: { metadata: { type: "ObjectMeta" }, webhooks: mergeListOf("Webhook", "name") } },
  MutatingWebhookConfiguration: { fields: { metadata: { type: "ObjectMeta" }, webhooks: mergeListOf("Webhook", "name") } },
  Webhook: { fields: { matchConditions: mergeListOf(undefined, "name") } },
  ValidatingAdmissionPolicy: { fields: { metadata: { type: "ObjectMeta" }, spec: { type: "ValidatingAdmissionPolicySpec" } } },
  ValidatingAdmissionPolicySpec: { fields: { matchConditions: mergeListOf(undefined, "name"), variables: mergeListOf(undefined, "name") } },

  /** Any other built-in kind: only ObjectMeta's rules apply. */
  Object: { fields: { metadata: { type: "ObjectMeta" } } },
};

/**
 * Root type of a kind's object. Kinds with their own entry use it; any other built-in kind gets
 * `Object` (metadata rules only).
 *
 * @example rootTypeOf("Deployment") // "Deployment"; rootTypeOf("ConfigMap") // "ConfigMap"; rootTypeOf("Lease") // "Object"
 */
export function rootTypeOf(kind: string): string {
  return kind !== ATOMIC_STRUCT && Object.hasOwn(SCHEMA_TYPES, kind) ? kind : "Object";
}

/**
 * The schema of `field` in type `type` (undefined when we know nothing about it: untagged).
 *
 * @example fieldSchema("PodSpec", "containers") // { type: "Container", patchStrategy: ["merge"], patchMergeKey: "name", … }
 */
export function fieldSchema(type: string | undefined, field: string): FieldSchema | undefined {
  if (type === undefined) return undefined;
  const t = SCHEMA_TYPES[type];
  return t && Object.hasOwn(t.fields, field) ? t.fields[field] : undefined;
}

/** True when SSA treats values of `type` as one leaf (`+structType=atomic`). */
export function isAtomicType(type: string | undefined): boolean {
  return type !== undefined && SCHEMA_TYPES[type]?.atomic === true;
}

/**
 * The schema of the field at a dotted path from a kind's root, walking types (list and map
 * elements are stepped through transparently). Undefined when any step is unknown.
 *
 * @example schemaAt("CronJob", "spec.jobTemplate.spec.template.spec.containers")?.patchMergeKey // "name"
 */
export function schemaAt(kind: string, dottedPath: string): FieldSchema | undefined {
  let type: string | undefined = rootTypeOf(kind);
  let meta: FieldSchema | undefined;
  for (const field of dottedPath.split(".")) {
    meta = fieldSchema(type, field);
    if (!meta) return undefined;
    type = meta.type;
  }
  return meta;
}
