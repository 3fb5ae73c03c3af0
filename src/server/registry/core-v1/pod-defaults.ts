/**
 * Upstream defaulting of a pod spec (kubernetes `pkg/apis/core/v1/defaults.go` and the generated
 * `SetObjectDefaults_*` walkers). Used by the Pod kind and by every workload that embeds a pod
 * template (ReplicationController, PodTemplate, Deployment, ReplicaSet, StatefulSet, DaemonSet, Job,
 * CronJob), so a template shows the same defaults `kubectl get -o yaml` shows upstream.
 *
 * Pod-only defaults (requests copied from limits, `enableServiceLinks`) live in `defaultPodOnly()`,
 * because upstream applies them to Pods and not to templates.
 */
import type {
  Container,
  ContainerPort,
  EnvVar,
  EphemeralContainer,
  LifecycleHandler,
  PodSpec,
  PodTemplateSpec,
  Probe,
  Volume,
  PersistentVolumeClaimSpec,
} from "kubernetes-types/core/v1.js";

/** Grace period a pod gets on delete when the user sets none (upstream `DefaultTerminationGracePeriodSeconds`). */
export const DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30;
/** Scheduler that picks up pods which name none (upstream `v1.DefaultSchedulerName`). */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";
/** Where a container writes its termination message (upstream `TerminationMessagePathDefault`). */
export const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
/** File mode of projected secret/configMap/downwardAPI files: 0644, upstream's `*VolumeSourceDefaultMode`. */
export const DEFAULT_VOLUME_FILE_MODE = 0o644;
/** Lifetime of a projected service account token (upstream defaults `expirationSeconds` to one hour). */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

/** Probe timing defaults (upstream `SetDefaults_Probe`): 1s timeout, every 10s, 1 success, 3 failures. */
export const PROBE_DEFAULTS = { timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 } as const;

/** Every volume source key a `Volume` may carry; a volume with none of them becomes an emptyDir. */
export const VOLUME_SOURCE_KEYS = [
  "awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "configMap", "csi", "downwardAPI", "emptyDir",
  "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", "hostPath", "image", "iscsi",
  "nfs", "persistentVolumeClaim", "photonPersistentDisk", "portworxVolume", "projected", "quobyte", "rbd", "scaleIO",
  "secret", "storageos", "vsphereVolume",
] as const;

/**
 * Upstream's image pull policy default: `Always` when the tag is `latest` or absent (and no digest), else
 * `IfNotPresent`.
 *
 * @example defaultImagePullPolicy("nginx") === "Always"; defaultImagePullPolicy("nginx:1.27") === "IfNotPresent"
 */
export function defaultImagePullPolicy(image: string): "Always" | "IfNotPresent" {
  const at = image.indexOf("@");
  const named = at < 0 ? image : image.slice(0, at);
  const lastSegment = named.slice(named.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  // No tag means "latest" unless the image is pinned by digest (upstream parsers.ParseImageName).
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : at < 0 ? "latest" : "";
  return tag === "latest" ? "Always" : "IfNotPresent";
}

function defaultHandler(h: LifecycleHandler | Probe | undefined): void {
  if (!h?.httpGet) return;
  h.httpGet.path ||= "/";
  h.httpGet.scheme ||= "HTTP";
}

function defaultProbe(p: Probe | undefined): void {
  if (!p) return;
  p.timeoutSeconds ||= PROBE_DEFAULTS.timeoutSeconds;
  p.periodSeconds ||= PROBE_DEFAULTS.periodSeconds;
  p.successThreshold ||= PROBE_DEFAULTS.successThreshold;
  p.failureThreshold ||= PROBE_DEFAULTS.failureThreshold;
  defaultHandler(p);
}

function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const from = e.valueFrom;
    if (from?.fieldRef) from.fieldRef.apiVersion ||= "v1";
    if (from?.resourceFieldRef && from.resourceFieldRef.divisor === undefined) from.resourceFieldRef.divisor = "0";
  }
}

function defaultPorts(ports: ContainerPort[] | undefined): void {
  for (const p of ports ?? []) p.protocol ||= "TCP";
}

/** Container defaults (upstream `SetDefaults_Container` plus the nested ports/probes/env/lifecycle walkers). */
export function defaultContainer(c: Container | EphemeralContainer): void {
  if (!c.imagePullPolicy && c.image !== undefined) c.imagePullPolicy = defaultImagePullPolicy(c.image);
  c.terminationMessagePath ||= DEFAULT_TERMINATION_MESSAGE_PATH;
  c.terminationMessagePolicy ||= "File";
  defaultPorts(c.ports);
  defaultEnv(c.env);
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  defaultHandler(c.lifecycle?.postStart);
  defaultHandler(c.lifecycle?.preStop);
}

function defaultClaimSpec(spec: PersistentVolumeClaimSpec | undefined): void {
  if (spec) spec.volumeMode ||= "Filesystem";
}

/** Volume defaults (upstream `SetDefaults_Volume` and the per-source defaulters). */
export function defaultVolume(v: Volume): void {
  const record = v as unknown as Record<string, unknown>;
  if (!VOLUME_SOURCE_KEYS.some((k) => record[k] !== undefined && record[k] !== null)) v.emptyDir = {};
  if (v.secret && v.secret.defaultMode === undefined) v.secret.defaultMode = DEFAULT_VOLUME_FILE_MODE;
  if (v.configMap && v.configMap.defaultMode === undefined) v.configMap.defaultMode = DEFAULT_VOLUME_FILE_MODE;
  if (v.downwardAPI) {
    if (v.downwardAPI.defaultMode === undefined) v.downwardAPI.defaultMode = DEFAULT_VOLUME_FILE_MODE;
    for (const item of v.downwardAPI.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= "v1";
  }
  if (v.projected) {
    if (v.projected.defaultMode === undefined) v.projected.defaultMode = DEFAULT_VOLUME_FILE_MODE;
    for (const src of v.projected.sources ?? []) {
      if (src.serviceAccountToken && src.serviceAccountToken.expirationSeconds === undefined) {
        src.serviceAccountToken.expirationSeconds = DEFAULT_TOKEN_EXPIRATION_SECONDS;
      }
      for (const item of src.downwardAPI?.items ?? []) if (item.fieldRef) item.fieldRef.apiVersion ||= "v1";
    }
  }
  if (v.hostPath && v.hostPath.type === undefined) v.hostPath.type = "";
  if (v.iscsi) {
    v.iscsi.iscsiInterface ||= "default";
  }
  if (v.rbd) {
    v.rbd.pool ||= "rbd";
    v.rbd.user ||= "admin";
    v.rbd.keyring ||= "/etc/ceph/keyring";
  }
  if (v.azureDisk) {
    v.azureDisk.cachingMode ||= "ReadWrite";
    v.azureDisk.fsType ||= "ext4";
    if (v.azureDisk.readOnly === undefined) v.azureDisk.readOnly = false;
    v.azureDisk.kind ||= "Shared";
  }
  defaultClaimSpec(v.ephemeral?.volumeClaimTemplate?.spec);
}

/**
 * Upstream defaulting of a PodSpec, in place, as applied to Pods and to pod templates alike.
 *
 * @example
 * const spec: PodSpec = { containers: [{ name: "web", image: "nginx" }] };
 * defaultPodSpec(spec); // spec.restartPolicy === "Always", containers[0].imagePullPolicy === "Always", …
 */
export function defaultPodSpec(spec: PodSpec): void {
  spec.dnsPolicy ||= "ClusterFirst";
  spec.restartPolicy ||= "Always";
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS;
  spec.schedulerName ||= DEFAULT_SCHEDULER_NAME;
  // A deprecated alias: upstream keeps serviceAccount and serviceAccountName in step.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName && !spec.serviceAccount) spec.serviceAccount = spec.serviceAccountName;
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const c of spec.ephemeralContainers ?? []) defaultContainer(c);
  if (spec.hostNetwork) {
    // With the host's network namespace the host port is the container port (upstream defaultHostNetworkPorts).
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
  for (const v of spec.volumes ?? []) defaultVolume(v);
}

/**
 * Upstream defaulting of a pod template (the pod spec inside a workload), in place.
 *
 * @example defaultPodTemplateSpec(deployment.spec.template)
 */
export function defaultPodTemplateSpec(t: PodTemplateSpec): void {
  t.spec ??= { containers: [] };
  defaultPodSpec(t.spec);
}

/** Built-in priority classes every cluster has (upstream `scheduling.SystemPriorityClasses`). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  "system-node-critical": 2000001000,
  "system-cluster-critical": 2000000000,
};

/**
 * Defaults upstream applies to a Pod but not to templates (`SetDefaults_Pod`): requests default to
 * limits for each resource that has a limit and no request, and `enableServiceLinks` defaults to true.
 * The priority admission plugin's `priority` (0 without a class, the built-in classes' values) and
 * `preemptionPolicy: PreemptLowerPriority` are applied here too, because kube-lite has no separate
 * admission chain for them. A user-defined `priorityClassName` is left for the API layer to resolve.
 *
 * @example defaultPodOnly(pod.spec)
 */
export function defaultPodOnly(spec: PodSpec): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const limits = c.resources?.limits;
    if (!limits || !c.resources) continue;
    const requests = (c.resources.requests ??= {});
    for (const [name, q] of Object.entries(limits)) if (requests[name] === undefined) requests[name] = q;
  }
  spec.enableServiceLinks ??= true;
  if (spec.priority === undefined) {
    if (!spec.priorityClassName) spec.priority = 0;
    else if (spec.priorityClassName in SYSTEM_PRIORITY_CLASSES) spec.priority = SYSTEM_PRIORITY_CLASSES[spec.priorityClassName];
  }
  spec.preemptionPolicy ||= "PreemptLowerPriority";
}

/** How long pods stay on a node that went not-ready or unreachable (upstream `DefaultTolerationSeconds`). */
export const DEFAULT_NOT_READY_TOLERATION_SECONDS = 300;
const NOT_READY_TAINTS = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/**
 * Upstream's `DefaultTolerationSeconds` admission on pod create: tolerate the not-ready and unreachable
 * NoExecute taints for 300 s unless the pod already tolerates them, so a node blip does not evict at once.
 *
 * @example addDefaultTolerations(pod.spec) // adds two NoExecute tolerations with tolerationSeconds 300
 */
export function addDefaultTolerations(spec: PodSpec): void {
  const tolerations = spec.tolerations ?? [];
  for (const key of NOT_READY_TAINTS) {
    const covered = tolerations.some(
      (t) => (t.operator === "Exists" && !t.key && (!t.effect || t.effect === "NoExecute")) || (t.key === key && (!t.effect || t.effect === "NoExecute")),
    );
    if (!covered) tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: DEFAULT_NOT_READY_TOLERATION_SECONDS });
  }
  spec.tolerations = tolerations;
}
