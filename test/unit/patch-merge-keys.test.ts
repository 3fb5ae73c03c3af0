import { test } from "node:test";
import assert from "node:assert/strict";
import { SCHEMA_TYPES, schemaAt, rootTypeOf, fieldSchema } from "../../src/server/apiserver/patch/merge-keys.js";

/**
 * Every field of the Kubernetes 1.32 GA types (and meta/v1) that declares patchStrategy /
 * patchMergeKey, from the upstream struct tags (/work/shared/notes/smp-fields-k8s-1.32.txt).
 * Our table names some shared shapes once; `alias` maps upstream's type to ours.
 */
const UPSTREAM_TAGS = `
ValidatingAdmissionPolicySpec.matchConditions merge name
ValidatingAdmissionPolicySpec.variables merge name
ValidatingWebhookConfiguration.webhooks merge name
MutatingWebhookConfiguration.webhooks merge name
ValidatingWebhook.matchConditions merge name
MutatingWebhook.matchConditions merge name
StatefulSetStatus.conditions merge type
DeploymentSpec.strategy retainKeys -
DeploymentStatus.conditions merge type
DaemonSetStatus.conditions merge type
ReplicaSetStatus.conditions merge type
HorizontalPodAutoscalerStatus.conditions merge type
JobStatus.conditions merge type
PersistentVolumeClaimStatus.conditions merge type
Container.ports merge containerPort
Container.env merge name
Container.volumeMounts merge mountPath
Container.volumeDevices merge devicePath
ContainerStatus.volumeMounts merge mountPath
ContainerStatus.allocatedResourcesStatus merge name
PodSpec.volumes merge,retainKeys name
PodSpec.initContainers merge name
PodSpec.containers merge name
PodSpec.ephemeralContainers merge name
PodSpec.imagePullSecrets merge name
PodSpec.hostAliases merge ip
PodSpec.topologySpreadConstraints merge topologyKey
PodSpec.schedulingGates merge name
PodSpec.resourceClaims merge,retainKeys name
EphemeralContainerCommon.ports merge containerPort
EphemeralContainerCommon.env merge name
EphemeralContainerCommon.volumeMounts merge mountPath
EphemeralContainerCommon.volumeDevices merge devicePath
PodStatus.conditions merge type
PodStatus.hostIPs merge ip
PodStatus.podIPs merge ip
PodStatus.resourceClaimStatuses merge,retainKeys name
ReplicationControllerStatus.conditions merge type
ServiceStatus.conditions merge type
ServiceSpec.ports merge port
ServiceAccount.secrets merge name
NodeSpec.podCIDRs merge -
NodeStatus.conditions merge type
NodeStatus.addresses merge type
NamespaceStatus.conditions merge type
ComponentStatus.conditions merge type
FlowSchemaStatus.conditions merge type
PriorityLevelConfigurationStatus.conditions merge type
PodDisruptionBudgetSpec.selector replace -
PodDisruptionBudgetStatus.conditions merge type
CSINodeSpec.drivers merge name
ObjectMeta.ownerReferences merge uid
ObjectMeta.finalizers merge -
`;

const alias: Record<string, string> = {
  EphemeralContainerCommon: "Container",
  ValidatingWebhook: "Webhook",
  MutatingWebhook: "Webhook",
};
for (const t of ["StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "HorizontalPodAutoscaler", "PersistentVolumeClaim", "ReplicationController", "Service", "Namespace", "FlowSchema", "PriorityLevelConfiguration", "PodDisruptionBudget"]) {
  alias[`${t}Status`] = "StatusWithConditions";
}

test("the table carries every upstream patchStrategy/patchMergeKey tag", () => {
  const lines = UPSTREAM_TAGS.trim().split("\n");
  assert.equal(lines.length, 53);
  for (const line of lines) {
    const [typeField, strategy, key] = line.split(" ");
    const [type, field] = typeField.split(".");
    const ours = alias[type] ?? type;
    assert.ok(SCHEMA_TYPES[ours], `type ${ours} missing`);
    const f = fieldSchema(ours, field);
    assert.ok(f, `${type}.${field} missing`);
    assert.equal((f.patchStrategy ?? []).join(","), strategy, `${type}.${field} strategy`);
    assert.equal(f.patchMergeKey ?? "-", key, `${type}.${field} merge key`);
  }
});

test("paths resolve by walking types from each kind's root", () => {
  const cases: [string, string, string | undefined][] = [
    ["Pod", "spec.containers", "name"],
    ["Deployment", "spec.template.spec.containers", "name"],
    ["Deployment", "spec.template.spec.containers.env", "name"],
    ["StatefulSet", "spec.template.spec.volumes", "name"],
    ["DaemonSet", "spec.template.spec.initContainers.ports", "containerPort"],
    ["Job", "spec.template.spec.containers.volumeMounts", "mountPath"],
    ["CronJob", "spec.jobTemplate.spec.template.spec.containers", "name"],
    ["ReplicationController", "spec.template.spec.imagePullSecrets", "name"],
    ["PodTemplate", "template.spec.hostAliases", "ip"],
    ["Node", "status.addresses", "type"],
    ["Service", "spec.ports", "port"],
    ["ConfigMap", "metadata.ownerReferences", "uid"],
  ];
  for (const [kind, path, key] of cases) assert.equal(schemaAt(kind, path)?.patchMergeKey, key, `${kind} ${path}`);
  assert.deepEqual(schemaAt("Deployment", "spec.strategy")?.patchStrategy, ["retainKeys"]);
  assert.equal(schemaAt("Deployment", "spec.template.spec.tolerations"), undefined, "untagged lists are atomic");
  assert.equal(rootTypeOf("Lease"), "Object");
  assert.equal(schemaAt("Lease", "metadata.finalizers")?.listType, "set");
});

test("server-side apply list types differ from SMP keys where upstream's do", () => {
  assert.deepEqual(schemaAt("Pod", "spec.containers.ports")?.listMapKeys, ["containerPort", "protocol"]);
  assert.deepEqual(schemaAt("Service", "spec.ports")?.listMapKeys, ["port", "protocol"]);
  assert.deepEqual(schemaAt("Pod", "spec.topologySpreadConstraints")?.listMapKeys, ["topologyKey", "whenUnsatisfiable"]);
  assert.equal(schemaAt("Job", "status.conditions")?.listType, "atomic");
  assert.equal(schemaAt("Pod", "status.hostIPs")?.listType, "atomic");
  assert.equal(schemaAt("Pod", "spec.nodeSelector")?.mapType, "atomic");
  assert.equal(SCHEMA_TYPES.LabelSelector.atomic, true);
});
