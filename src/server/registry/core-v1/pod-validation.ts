/**
 * Validation of a pod spec and a pod template, after upstream `pkg/apis/core/validation/validation.go`
 * (`ValidatePodSpec`, `ValidatePodTemplateSpec`): same checks that matter to users, same field paths
 * and messages. Used by the Pod kind and by every workload that embeds a pod template.
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
  Toleration,
  Volume,
  VolumeMount,
} from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import {
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateAnnotations,
  validateLabels,
} from "../../../shared/api/validation.js";
import { VOLUME_SOURCE_KEYS } from "./pod-defaults.js";
import { checkWith, inRange, isConfigMapKey, nonNegative, notFoundCause, portNumOrName, requiredDNSLabel } from "./field-checks.js";
import { parseQuantity } from "./quantity.js";
import { validatePersistentVolumeClaimSpec } from "./persistentvolumeclaims.js";
import { validateAffinity, validateSecurityContextIDs, validateTopologySpreadConstraints } from "./pod-scheduling-validation.js";

export const RESTART_POLICIES = ["Always", "OnFailure", "Never"];
export const DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"];
export const PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"];
const TERMINATION_MESSAGE_POLICIES = ["File", "FallbackToLogsOnError"];
const TOLERATION_OPERATORS = ["Equal", "Exists"];
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const URI_SCHEMES = ["HTTP", "HTTPS"];
/** File modes are 0–0777 (upstream `fileModeErrorMsg`). */
const MAX_FILE_MODE = 0o777;
const FILE_MODE_MESSAGE = "must be a number between 0 and 0777 (octal), both inclusive";
/** Largest int32, the upper bound upstream uses for seconds fields. */
const MAX_INT32 = 2147483647;

/** Field paths an env var's `fieldRef` may name (upstream `validEnvDownwardAPIFieldPathExpressions`). */
const ENV_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"];
/** Field paths a downwardAPI volume item may name (upstream `validVolumeDownwardAPIFieldPathExpressions`). */
const VOLUME_FIELD_PATHS = ["metadata.name", "metadata.namespace", "metadata.labels", "metadata.annotations", "metadata.uid"];
/** Resources an env var's `resourceFieldRef` may name (upstream `validContainerResourceFieldPathExpressions`). */
const RESOURCE_FIELD_PATHS = ["limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"];

function validateFieldRef(ref: { apiVersion?: string; fieldPath: string }, allowed: string[], path: string, allowSubscripts: boolean): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!ref.apiVersion) errs.push(fieldError.required(`${path}.apiVersion`));
  if (!ref.fieldPath) {
    errs.push(fieldError.required(`${path}.fieldPath`));
    return errs;
  }
  const sub = /^(metadata\.(?:labels|annotations))\['(.*)'\]$/.exec(ref.fieldPath);
  if (sub && allowSubscripts) {
    const key = sub[2]!;
    const msgs = sub[1] === "metadata.labels" ? isQualifiedName(key) : isQualifiedName(key.toLowerCase());
    for (const m of msgs) errs.push(fieldError.invalid(`${path}.fieldPath`, ref.fieldPath, m));
    return errs;
  }
  if (!allowed.includes(ref.fieldPath)) errs.push(fieldError.notSupported(`${path}.fieldPath`, ref.fieldPath, allowed));
  return errs;
}

function validateKeySelector(sel: { name?: string; key: string }, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!sel.name) errs.push(fieldError.required(`${path}.name`));
  if (!sel.key) errs.push(fieldError.required(`${path}.key`));
  else errs.push(...checkWith(isConfigMapKey, sel.key, `${path}.key`));
  return errs;
}

function validateEnv(env: EnvVar[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (env ?? []).forEach((ev, i) => {
    const p = `${path}[${i}]`;
    if (!ev.name) errs.push(fieldError.required(`${p}.name`));
    else errs.push(...checkWith(isEnvVarName, ev.name, `${p}.name`));
    const from = ev.valueFrom;
    if (!from) return;
    const fp = `${p}.valueFrom`;
    let sources = 0;
    if (from.fieldRef) {
      sources++;
      errs.push(...validateFieldRef(from.fieldRef, ENV_FIELD_PATHS, `${fp}.fieldRef`, true));
    }
    if (from.resourceFieldRef) {
      sources++;
      const r = from.resourceFieldRef.resource;
      if (!r) errs.push(fieldError.required(`${fp}.resourceFieldRef.resource`));
      else if (!RESOURCE_FIELD_PATHS.includes(r) && !/^(limits|requests)\.hugepages-/.test(r)) {
        errs.push(fieldError.notSupported(`${fp}.resourceFieldRef.resource`, r, RESOURCE_FIELD_PATHS));
      }
    }
    if (from.configMapKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.configMapKeyRef, `${fp}.configMapKeyRef`));
    }
    if (from.secretKeyRef) {
      sources++;
      errs.push(...validateKeySelector(from.secretKeyRef, `${fp}.secretKeyRef`));
    }
    if (sources === 0) errs.push(fieldError.invalid(fp, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    else if (ev.value) errs.push(fieldError.invalid(fp, "", "may not be specified when `value` is not empty"));
    else if (sources > 1) errs.push(fieldError.invalid(fp, "", "may not have more than one field specified at a time"));
  });
  return errs;
}

function validatePorts(ports: ContainerPort[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  (ports ?? []).forEach((port, i) => {
    const p = `${path}[${i}]`;
    if (port.name) {
      const msgs = isValidPortName(port.name);
      if (msgs.length) errs.push(...msgs.map((m) => fieldError.invalid(`${p}.name`, port.name, m)));
      else if (names.has(port.name)) errs.push(fieldError.duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) errs.push(fieldError.required(`${p}.containerPort`));
    else errs.push(...isValidPortNum(port.containerPort).map((m) => fieldError.invalid(`${p}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(port.hostPort).map((m) => fieldError.invalid(`${p}.hostPort`, port.hostPort, m)));
    if (!port.protocol) errs.push(fieldError.required(`${p}.protocol`));
    else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(fieldError.notSupported(`${p}.protocol`, port.protocol, PORT_PROTOCOLS));
  });
  return errs;
}

function validateHandler(h: LifecycleHandler | Probe, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const kinds = (["exec", "httpGet", "tcpSocket", "grpc", "sleep"] as const).filter((k) => (h as Record<string, unknown>)[k] !== undefined);
  if (kinds.length === 0) return [fieldError.required(path, "must specify a handler type")];
  if (kinds.length > 1) errs.push(fieldError.forbidden(`${path}.${kinds[1]}`, "may not specify more than 1 handler type"));
  if (h.exec && !h.exec.command?.length) errs.push(fieldError.required(`${path}.exec.command`));
  if (h.httpGet) {
    if (!h.httpGet.path) errs.push(fieldError.required(`${path}.httpGet.path`));
    errs.push(...portNumOrName(h.httpGet.port, `${path}.httpGet.port`));
    if (h.httpGet.scheme && !URI_SCHEMES.includes(h.httpGet.scheme)) errs.push(fieldError.notSupported(`${path}.httpGet.scheme`, h.httpGet.scheme, URI_SCHEMES));
  }
  if (h.tcpSocket) errs.push(...portNumOrName(h.tcpSocket.port, `${path}.tcpSocket.port`));
  if ("grpc" in h && h.grpc) errs.push(...isValidPortNum(h.grpc.port).map((m) => fieldError.invalid(`${path}.grpc.port`, h.grpc!.port, m)));
  return errs;
}

function validateProbe(probe: Probe | undefined, path: string, successMustBeOne: boolean): StatusCause[] {
  if (!probe) return [];
  const errs = validateHandler(probe, path);
  errs.push(...nonNegative(probe.initialDelaySeconds, `${path}.initialDelaySeconds`));
  errs.push(...nonNegative(probe.timeoutSeconds, `${path}.timeoutSeconds`));
  errs.push(...nonNegative(probe.periodSeconds, `${path}.periodSeconds`));
  errs.push(...nonNegative(probe.successThreshold, `${path}.successThreshold`));
  errs.push(...nonNegative(probe.failureThreshold, `${path}.failureThreshold`));
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds <= 0) {
    errs.push(fieldError.invalid(`${path}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, "must be greater than 0"));
  }
  if (successMustBeOne && probe.successThreshold !== undefined && probe.successThreshold !== 1) {
    errs.push(fieldError.invalid(`${path}.successThreshold`, probe.successThreshold, "must be 1"));
  }
  return errs;
}

function validateResources(c: Container | EphemeralContainer, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const limits = c.resources?.limits ?? {};
  const requests = c.resources?.requests ?? {};
  for (const [kind, map] of [["limits", limits], ["requests", requests]] as const) {
    for (const [name, q] of Object.entries(map)) {
      const v = parseQuantity(q);
      if (v === undefined) errs.push(fieldError.invalid(`${path}.resources.${kind}[${name}]`, q, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
      else if (v < 0) errs.push(fieldError.invalid(`${path}.resources.${kind}[${name}]`, q, "must be greater than or equal to 0"));
    }
  }
  for (const [name, req] of Object.entries(requests)) {
    const lim = limits[name];
    if (lim === undefined) continue;
    const rv = parseQuantity(req);
    const lv = parseQuantity(lim);
    if (rv !== undefined && lv !== undefined && rv > lv) {
      errs.push(fieldError.invalid(`${path}.resources.requests[${name}]`, String(req), `must be less than or equal to ${name} limit of ${String(lim)}`));
    }
  }
  return errs;
}

function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: Set<string>, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const mountPoints = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const p = `${path}[${i}]`;
    if (!m.name) errs.push(fieldError.required(`${p}.name`));
    else if (!volumes.has(m.name)) errs.push(notFoundCause(`${p}.name`, m.name));
    if (!m.mountPath) errs.push(fieldError.required(`${p}.mountPath`));
    else if (mountPoints.has(m.mountPath)) errs.push(fieldError.invalid(`${p}.mountPath`, m.mountPath, "must be unique"));
    else mountPoints.add(m.mountPath);
    if (m.subPath) {
      if (m.subPath.startsWith("/")) errs.push(fieldError.invalid(`${p}.subPath`, m.subPath, "must be a relative path"));
      if (m.subPath.split("/").includes("..")) errs.push(fieldError.invalid(`${p}.subPath`, m.subPath, "must not contain '..'"));
    }
    if (m.subPath && m.subPathExpr) errs.push(fieldError.invalid(`${p}.subPathExpr`, m.subPathExpr, "subPathExpr and subPath are mutually exclusive"));
    if (m.mountPropagation && !["None", "HostToContainer", "Bidirectional"].includes(m.mountPropagation)) {
      errs.push(fieldError.notSupported(`${p}.mountPropagation`, m.mountPropagation, ["Bidirectional", "HostToContainer", "None"]));
    }
  });
  return errs;
}

type ContainerRole = "container" | "init" | "ephemeral";

function validateContainer(c: Container | EphemeralContainer, p: string, role: ContainerRole, names: Set<string>, volumes: Set<string>): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!c.name) errs.push(fieldError.required(`${p}.name`));
  else {
    errs.push(...checkWith(isDNS1123Label, c.name, `${p}.name`));
    if (names.has(c.name)) errs.push(fieldError.duplicate(`${p}.name`, c.name));
    names.add(c.name);
  }
  // Whitespace around the image is rejected only in Pods (validatePodContainerImages): templates may use " " as a token.
  if (!c.image) errs.push(fieldError.required(`${p}.image`));
  if (!c.imagePullPolicy) errs.push(fieldError.required(`${p}.imagePullPolicy`));
  else if (!PULL_POLICIES.includes(c.imagePullPolicy)) errs.push(fieldError.notSupported(`${p}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  if (!c.terminationMessagePolicy) errs.push(fieldError.required(`${p}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE_POLICIES.includes(c.terminationMessagePolicy)) {
    errs.push(fieldError.notSupported(`${p}.terminationMessagePolicy`, c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  if (role === "ephemeral") {
    // Ephemeral containers may not expose ports, probes or lifecycle hooks (upstream validateEphemeralContainers).
    for (const f of ["ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle"] as const) {
      if ((c as unknown as Record<string, unknown>)[f] !== undefined) errs.push(fieldError.forbidden(`${p}.${f}`, `cannot be set for an Ephemeral Container`));
    }
  } else {
    errs.push(...validatePorts(c.ports, `${p}.ports`));
  }
  errs.push(...validateEnv(c.env, `${p}.env`));
  (c.envFrom ?? []).forEach((ef, i) => {
    const ep = `${p}.envFrom[${i}]`;
    const n = (ef.configMapRef ? 1 : 0) + (ef.secretRef ? 1 : 0);
    if (n === 0) errs.push(fieldError.invalid(ep, "", "must specify one of: `configMapRef` or `secretRef`"));
    else if (n > 1) errs.push(fieldError.invalid(ep, "", "may not have more than one field specified at a time"));
    if (ef.configMapRef && !ef.configMapRef.name) errs.push(fieldError.required(`${ep}.configMapRef.name`));
    if (ef.secretRef && !ef.secretRef.name) errs.push(fieldError.required(`${ep}.secretRef.name`));
  });
  errs.push(...validateVolumeMounts(c.volumeMounts, volumes, `${p}.volumeMounts`));
  errs.push(...validateResources(c, p));

  const sidecar = role === "init" && c.restartPolicy === "Always";
  if (role === "container" && c.restartPolicy !== undefined) errs.push(fieldError.forbidden(`${p}.restartPolicy`, "may not be set for non-init containers"));
  if (role === "init" && c.restartPolicy !== undefined && c.restartPolicy !== "Always") errs.push(fieldError.notSupported(`${p}.restartPolicy`, c.restartPolicy, ["Always"]));
  if (role === "init" && !sidecar) {
    for (const f of ["lifecycle", "livenessProbe", "readinessProbe", "startupProbe"] as const) {
      if (c[f] !== undefined) errs.push(fieldError.forbidden(`${p}.${f}`, "may not be set for init containers without restartPolicy=Always"));
    }
  } else if (role !== "ephemeral") {
    errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, true));
    if (c.readinessProbe?.terminationGracePeriodSeconds !== undefined) {
      errs.push(fieldError.invalid(`${p}.readinessProbe.terminationGracePeriodSeconds`, c.readinessProbe.terminationGracePeriodSeconds, "must not be set for readinessProbes"));
    }
    if (c.lifecycle?.postStart) errs.push(...validateHandler(c.lifecycle.postStart, `${p}.lifecycle.postStart`));
    if (c.lifecycle?.preStop) errs.push(...validateHandler(c.lifecycle.preStop, `${p}.lifecycle.preStop`));
  }
  return errs;
}

function validateFileMode(mode: number | undefined, field: string): StatusCause[] {
  return mode !== undefined && (mode < 0 || mode > MAX_FILE_MODE) ? [fieldError.invalid(field, mode, FILE_MODE_MESSAGE)] : [];
}

function validateKeyToPaths(items: { key: string; path: string; mode?: number }[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (items ?? []).forEach((it, i) => {
    const p = `${path}[${i}]`;
    if (!it.key) errs.push(fieldError.required(`${p}.key`));
    if (!it.path) errs.push(fieldError.required(`${p}.path`));
    else {
      if (it.path.startsWith("/")) errs.push(fieldError.invalid(`${p}.path`, it.path, "must be a relative path"));
      if (it.path.split("/").includes("..")) errs.push(fieldError.invalid(`${p}.path`, it.path, "must not contain '..'"));
    }
    errs.push(...validateFileMode(it.mode, `${p}.mode`));
  });
  return errs;
}

function validateVolumeSource(v: Volume, p: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const record = v as unknown as Record<string, unknown>;
  const sources = VOLUME_SOURCE_KEYS.filter((k) => record[k] !== undefined && record[k] !== null);
  if (sources.length === 0) return [fieldError.required(p, "must specify a volume type")];
  if (sources.length > 1) errs.push(fieldError.forbidden(`${p}.${sources[1]}`, "may not specify more than 1 volume type"));
  if (v.configMap) {
    if (!v.configMap.name) errs.push(fieldError.required(`${p}.configMap.name`));
    errs.push(...validateFileMode(v.configMap.defaultMode, `${p}.configMap.defaultMode`));
    errs.push(...validateKeyToPaths(v.configMap.items, `${p}.configMap.items`));
  }
  if (v.secret) {
    if (!v.secret.secretName) errs.push(fieldError.required(`${p}.secret.secretName`));
    errs.push(...validateFileMode(v.secret.defaultMode, `${p}.secret.defaultMode`));
    errs.push(...validateKeyToPaths(v.secret.items, `${p}.secret.items`));
  }
  if (v.persistentVolumeClaim && !v.persistentVolumeClaim.claimName) errs.push(fieldError.required(`${p}.persistentVolumeClaim.claimName`));
  if (v.hostPath) {
    if (!v.hostPath.path) errs.push(fieldError.required(`${p}.hostPath.path`));
    const types = ["", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"];
    if (v.hostPath.type !== undefined && !types.includes(v.hostPath.type)) errs.push(fieldError.notSupported(`${p}.hostPath.type`, v.hostPath.type, types));
  }
  if (v.emptyDir?.medium !== undefined && !["", "Memory", "HugePages"].includes(v.emptyDir.medium) && !v.emptyDir.medium.startsWith("HugePages-")) {
    errs.push(fieldError.notSupported(`${p}.emptyDir.medium`, v.emptyDir.medium, ["", "Memory", "HugePages"]));
  }
  if (v.ephemeral) {
    const tmpl = v.ephemeral.volumeClaimTemplate;
    if (!tmpl) errs.push(fieldError.required(`${p}.ephemeral.volumeClaimTemplate`));
    else errs.push(...validatePersistentVolumeClaimSpec(tmpl.spec, `${p}.ephemeral.volumeClaimTemplate.spec`));
  }
  if (v.csi && !v.csi.driver) errs.push(fieldError.required(`${p}.csi.driver`));
  if (v.nfs) {
    if (!v.nfs.server) errs.push(fieldError.required(`${p}.nfs.server`));
    if (!v.nfs.path) errs.push(fieldError.required(`${p}.nfs.path`));
    else if (!v.nfs.path.startsWith("/")) errs.push(fieldError.invalid(`${p}.nfs.path`, v.nfs.path, "must be an absolute path"));
  }
  if (v.downwardAPI) {
    errs.push(...validateFileMode(v.downwardAPI.defaultMode, `${p}.downwardAPI.defaultMode`));
    (v.downwardAPI.items ?? []).forEach((it, i) => {
      const ip = `${p}.downwardAPI.items[${i}]`;
      if (!it.path) errs.push(fieldError.required(`${ip}.path`));
      if (it.fieldRef) errs.push(...validateFieldRef(it.fieldRef, VOLUME_FIELD_PATHS, `${ip}.fieldRef`, true));
      if (it.fieldRef && it.resourceFieldRef) errs.push(fieldError.invalid(ip, "resource", "fieldRef and resourceFieldRef can not be specified simultaneously"));
      errs.push(...validateFileMode(it.mode, `${ip}.mode`));
    });
  }
  if (v.projected) {
    errs.push(...validateFileMode(v.projected.defaultMode, `${p}.projected.defaultMode`));
    (v.projected.sources ?? []).forEach((src, i) => {
      const sp = `${p}.projected.sources[${i}]`;
      const kinds = (["secret", "configMap", "downwardAPI", "serviceAccountToken", "clusterTrustBundle"] as const).filter((k) => src[k as keyof typeof src] !== undefined);
      if (kinds.length > 1) errs.push(fieldError.forbidden(`${sp}.${kinds[1]}`, "may not specify more than 1 volume type per source"));
      if (src.serviceAccountToken) {
        const exp = src.serviceAccountToken.expirationSeconds;
        if (exp !== undefined && exp < 600) errs.push(fieldError.invalid(`${sp}.serviceAccountToken.expirationSeconds`, exp, "may not specify a duration less than 10 minutes"));
        if (!src.serviceAccountToken.path) errs.push(fieldError.required(`${sp}.serviceAccountToken.path`));
      }
      if (src.configMap) errs.push(...validateKeyToPaths(src.configMap.items, `${sp}.configMap.items`));
      if (src.secret) errs.push(...validateKeyToPaths(src.secret.items, `${sp}.secret.items`));
    });
  }
  return errs;
}

function validateVolumes(volumes: Volume[] | undefined, path: string): { errs: StatusCause[]; names: Set<string> } {
  const errs: StatusCause[] = [];
  const names = new Set<string>();
  (volumes ?? []).forEach((v, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateVolumeSource(v, p));
    errs.push(...requiredDNSLabel(v.name, `${p}.name`));
    if (v.name && names.has(v.name)) errs.push(fieldError.duplicate(`${p}.name`, v.name));
    if (v.name) names.add(v.name);
  });
  return { errs, names };
}

function validateTolerations(tolerations: Toleration[] | undefined, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const p = `${path}[${i}]`;
    if (t.key) errs.push(...checkWith(isQualifiedName, t.key, `${p}.key`));
    if (!t.key && t.operator !== "Exists") {
      errs.push(fieldError.invalid(`${p}.operator`, t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== "NoExecute") {
      errs.push(fieldError.invalid(`${p}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? "") {
      case "":
      case "Equal":
        if (t.value) errs.push(...checkWith(isValidLabelValue, t.value, `${p}.operator`));
        break;
      case "Exists":
        if (t.value) errs.push(fieldError.invalid(`${p}.operator`, t, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(fieldError.notSupported(`${p}.operator`, t.operator, TOLERATION_OPERATORS));
    }
    if (t.effect && !TAINT_EFFECTS.includes(t.effect)) errs.push(fieldError.notSupported(`${p}.effect`, t.effect, TAINT_EFFECTS));
  });
  return errs;
}

/** Two containers may not claim the same host port, protocol and host IP (upstream `checkHostPortConflicts`). */
function validateHostPortConflicts(spec: PodSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const seen = new Set<string>();
  (spec.containers ?? []).forEach((c, i) => {
    (c.ports ?? []).forEach((p, j) => {
      if (!p.hostPort) return;
      const key = `${p.protocol ?? "TCP"}/${p.hostIP ?? ""}/${p.hostPort}`;
      if (seen.has(key)) errs.push(fieldError.duplicate(`${path}.containers[${i}].ports[${j}].hostPort`, key));
      seen.add(key);
    });
  });
  return errs;
}

/**
 * Validates a (defaulted) pod spec; `path` is where it sits ("spec" in a Pod, "spec.template.spec" in a
 * workload). Returns upstream-style causes, empty when valid.
 *
 * @example validatePodSpec({ containers: [] }, "spec") → [{ field: "spec.containers", message: "Required value", … }]
 */
export function validatePodSpec(spec: PodSpec | undefined, path: string): StatusCause[] {
  if (!spec) return [fieldError.required(path)];
  const { errs, names: volumeNames } = validateVolumes(spec.volumes, `${path}.volumes`);
  const containerNames = new Set<string>();
  if (!spec.containers?.length) errs.push(fieldError.required(`${path}.containers`));
  (spec.containers ?? []).forEach((c, i) => errs.push(...validateContainer(c, `${path}.containers[${i}]`, "container", containerNames, volumeNames)));
  (spec.initContainers ?? []).forEach((c, i) => errs.push(...validateContainer(c, `${path}.initContainers[${i}]`, "init", containerNames, volumeNames)));
  (spec.ephemeralContainers ?? []).forEach((c, i) => errs.push(...validateContainer(c, `${path}.ephemeralContainers[${i}]`, "ephemeral", containerNames, volumeNames)));

  if (!spec.restartPolicy) errs.push(fieldError.required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) errs.push(fieldError.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) errs.push(fieldError.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) errs.push(fieldError.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  if (spec.dnsPolicy === "None" && !spec.dnsConfig) errs.push(fieldError.required(`${path}.dnsConfig`, "must provide `dnsConfig` when `dnsPolicy` is None"));
  if (spec.dnsConfig?.nameservers && spec.dnsConfig.nameservers.length > 3) {
    errs.push(fieldError.invalid(`${path}.dnsConfig.nameservers`, spec.dnsConfig.nameservers, "must not have more than 3 nameservers"));
  }
  if (spec.nodeSelector) errs.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  if (spec.serviceAccountName) errs.push(...checkWith(isDNS1123Subdomain, spec.serviceAccountName, `${path}.serviceAccountName`));
  if (spec.nodeName) errs.push(...checkWith(isDNS1123Subdomain, spec.nodeName, `${path}.nodeName`));
  if (spec.hostname) errs.push(...checkWith(isDNS1123Label, spec.hostname, `${path}.hostname`));
  if (spec.subdomain) errs.push(...checkWith(isDNS1123Label, spec.subdomain, `${path}.subdomain`));
  if (spec.priorityClassName) errs.push(...checkWith(isDNS1123Subdomain, spec.priorityClassName, `${path}.priorityClassName`));
  errs.push(...inRange(spec.activeDeadlineSeconds, 1, MAX_INT32, `${path}.activeDeadlineSeconds`));
  errs.push(...validateTolerations(spec.tolerations, `${path}.tolerations`));
  errs.push(...validateAffinity(spec.affinity, `${path}.affinity`));
  errs.push(...validateTopologySpreadConstraints(spec.topologySpreadConstraints, `${path}.topologySpreadConstraints`));
  errs.push(...validateSecurityContextIDs(spec, path));
  (spec.readinessGates ?? []).forEach((g, i) => errs.push(...checkWith(isQualifiedName, g.conditionType, `${path}.readinessGates[${i}].conditionType`)));
  if (spec.os && !["linux", "windows"].includes(spec.os.name)) errs.push(fieldError.notSupported(`${path}.os.name`, spec.os.name, ["linux", "windows"]));
  (spec.imagePullSecrets ?? []).forEach((s, i) => {
    if (!s.name) errs.push(fieldError.required(`${path}.imagePullSecrets[${i}].name`));
  });
  if (spec.preemptionPolicy && !["PreemptLowerPriority", "Never"].includes(spec.preemptionPolicy)) {
    errs.push(fieldError.notSupported(`${path}.preemptionPolicy`, spec.preemptionPolicy, ["Never", "PreemptLowerPriority"]));
  }
  errs.push(...validateHostPortConflicts(spec, path));
  if (spec.hostNetwork) {
    // With the host network a container port is a host port, so they must agree (upstream validateHostNetwork).
    for (const [list, key] of [[spec.containers, "containers"], [spec.initContainers, "initContainers"]] as const) {
      (list ?? []).forEach((c, i) => {
        (c.ports ?? []).forEach((port, j) => {
          if (port.hostPort && port.hostPort !== port.containerPort) {
            errs.push(fieldError.invalid(`${path}.${key}[${i}].ports[${j}].hostPort`, port.hostPort, "must match `containerPort` when `hostNetwork` is true"));
          }
        });
      });
    }
  }
  return errs;
}

/**
 * Pod-only image check (upstream `validateContainersOnlyForPod`): no leading or trailing whitespace.
 *
 * @example validatePodContainerImages(pod.spec, "spec")
 */
export function validatePodContainerImages(spec: PodSpec, path: string): StatusCause[] {
  const errs: StatusCause[] = [];
  for (const [list, key] of [[spec.containers, "containers"], [spec.initContainers, "initContainers"]] as const) {
    (list ?? []).forEach((c, i) => {
      if (c.image && c.image.trim() !== c.image) errs.push(fieldError.invalid(`${path}.${key}[${i}].image`, c.image, "must not have leading or trailing whitespace"));
    });
  }
  return errs;
}

/**
 * Validates a pod template as embedded in a workload; `path` like "spec.template". Labels are checked
 * under `<path>.labels` as upstream does.
 *
 * @example validatePodTemplateSpec(deployment.spec.template, "spec.template")
 */
export function validatePodTemplateSpec(t: PodTemplateSpec | undefined, path: string): StatusCause[] {
  if (!t) return [fieldError.required(path)];
  const errs: StatusCause[] = [];
  if (t.metadata?.labels) errs.push(...validateLabels(t.metadata.labels, `${path}.labels`));
  if (t.metadata?.annotations) errs.push(...validateAnnotations(t.metadata.annotations, `${path}.annotations`));
  errs.push(...validatePodSpec(t.spec, `${path}.spec`));
  if (t.spec?.ephemeralContainers?.length) errs.push(fieldError.forbidden(`${path}.spec.ephemeralContainers`, "ephemeral containers not allowed in pod template"));
  return errs;
}

