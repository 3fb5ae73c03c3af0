/**
 * Services (core/v1): upstream defaults (`SetDefaults_Service` plus the IP-family defaults the service
 * REST applies), validation (`ValidateService`, `ValidateServiceUpdate`) and the `kubectl get svc` table.
 * ClusterIP and NodePort allocation belong to the API layer; this file only keeps allocated values on update.
 */
import type { Service, ServicePort, ServiceSpec, ServiceStatus } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { nameIsDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidIP, isValidPortNum, validateLabels } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatMapSelector } from "../printing.js";
import { resourceType, type ResourceType, type TableSpec } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";
import { checkWith, jsonEqual, portNumOrName, requiredDNSLabel } from "./field-checks.js";
import { PORT_PROTOCOLS } from "./pod-validation.js";

export const SERVICE_TYPES = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
const SESSION_AFFINITIES = ["ClientIP", "None"];
const TRAFFIC_POLICIES = ["Cluster", "Local"];
const IP_FAMILY_POLICIES = ["SingleStack", "PreferDualStack", "RequireDualStack"];
const IP_FAMILIES = ["IPv4", "IPv6"];
/** ClientIP session affinity sticks for 3 hours unless told (upstream `DefaultClientIPServiceAffinitySeconds`). */
export const DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800;
/** Upstream caps ClientIP affinity at one day (`MaxClientIPServiceAffinitySeconds`). */
const MAX_CLIENT_IP_AFFINITY_SECONDS = 86400;
/** External-IP cells longer than this are clipped in non-wide output (upstream `loadBalancerWidth`). */
const LOAD_BALANCER_WIDTH = 16;

function specOf(obj: KubeObject): ServiceSpec {
  return (obj.spec ?? {}) as ServiceSpec;
}

/** Headless: clusterIP "None" (upstream `isHeadlessService`). */
function isHeadless(spec: ServiceSpec): boolean {
  return spec.clusterIP === "None";
}

/** Types that get a cluster IP (everything but ExternalName). */
function needsClusterIP(spec: ServiceSpec): boolean {
  return spec.type !== "ExternalName";
}

function needsNodePorts(spec: ServiceSpec): boolean {
  return spec.type === "NodePort" || spec.type === "LoadBalancer";
}

/**
 * Upstream Service defaults, in place.
 *
 * @example defaultService(svc) // spec.type "ClusterIP", ports[].protocol "TCP", ports[].targetPort = port, …
 */
export function defaultService(obj: KubeObject): void {
  obj.spec ??= {};
  const spec = specOf(obj);
  spec.type ||= "ClusterIP";
  spec.sessionAffinity ||= "None";
  if (spec.sessionAffinity === "ClientIP") {
    spec.sessionAffinityConfig ??= {};
    spec.sessionAffinityConfig.clientIP ??= {};
    spec.sessionAffinityConfig.clientIP.timeoutSeconds ??= DEFAULT_CLIENT_IP_AFFINITY_SECONDS;
  }
  for (const p of spec.ports ?? []) {
    p.protocol ||= "TCP";
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === "") p.targetPort = p.port;
  }
  if (needsNodePorts(spec)) spec.externalTrafficPolicy ||= "Cluster";
  if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
  if (needsClusterIP(spec)) {
    spec.internalTrafficPolicy ||= "Cluster";
    if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
    if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
    // Headless services without a selector are dual-stack by default upstream (they have no IPs to pick a family from).
    const selectorless = !Object.keys(spec.selector ?? {}).length;
    if (isHeadless(spec) && selectorless) {
      spec.ipFamilyPolicy ||= "RequireDualStack";
      if (!spec.ipFamilies?.length) spec.ipFamilies = ["IPv4", "IPv6"];
    } else {
      spec.ipFamilyPolicy ||= "SingleStack";
      if (!spec.ipFamilies?.length) {
        spec.ipFamilies = (spec.clusterIPs ?? []).filter((ip) => ip !== "None").map((ip) => (ip.includes(":") ? "IPv6" : "IPv4"));
        if (!spec.ipFamilies.length) spec.ipFamilies = ["IPv4"];
      }
    }
  }
}

function validatePorts(spec: ServiceSpec): StatusCause[] {
  const errs: StatusCause[] = [];
  const ports = spec.ports ?? [];
  const names = new Set<string>();
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p: ServicePort, i) => {
    const path = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(fieldError.required(`${path}.name`));
    else if (p.name) {
      errs.push(...requiredDNSLabel(p.name, `${path}.name`));
      if (names.has(p.name)) errs.push(fieldError.duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    errs.push(...isValidPortNum(p.port).map((m) => fieldError.invalid(`${path}.port`, p.port, m)));
    if (!p.protocol) errs.push(fieldError.required(`${path}.protocol`));
    else if (!PORT_PROTOCOLS.includes(p.protocol)) errs.push(fieldError.notSupported(`${path}.protocol`, p.protocol, PORT_PROTOCOLS));
    if (p.targetPort !== undefined) errs.push(...portNumOrName(p.targetPort, `${path}.targetPort`));
    if (p.appProtocol) errs.push(...checkWith(isQualifiedName, p.appProtocol, `${path}.appProtocol`));
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) errs.push(fieldError.duplicate(path, { port: p.port, protocol: p.protocol }));
    seen.add(key);
    if (p.nodePort) {
      if (!needsNodePorts(spec)) errs.push(fieldError.forbidden(`${path}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
      else {
        errs.push(...isValidPortNum(p.nodePort).map((m) => fieldError.invalid(`${path}.nodePort`, p.nodePort, m)));
        const nk = `${p.nodePort}/${p.protocol}`;
        if (nodePorts.has(nk)) errs.push(fieldError.duplicate(`${path}.nodePort`, p.nodePort));
        nodePorts.add(nk);
      }
    }
  });
  return errs;
}

function validateClusterIPs(spec: ServiceSpec): StatusCause[] {
  const errs: StatusCause[] = [];
  if (!needsClusterIP(spec)) {
    if (spec.clusterIP) errs.push(fieldError.forbidden("spec.clusterIP", "may not be set for ExternalName services"));
    if (spec.clusterIPs?.length) errs.push(fieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (spec.ipFamilies?.length) errs.push(fieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (spec.ipFamilyPolicy) errs.push(fieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    return errs;
  }
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIP !== spec.clusterIPs[0]) {
    errs.push(fieldError.invalid("spec.clusterIPs", spec.clusterIPs, "first value must match `clusterIP`"));
  }
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip === "None") {
      if (i > 0 || (spec.clusterIPs ?? []).length > 1) errs.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ip, "must not have more than one value when headless"));
      if (needsNodePorts(spec)) errs.push(fieldError.invalid("spec.clusterIPs[0]", ip, `may not be set to 'None' for ${spec.type} services`));
      return;
    }
    for (const m of isValidIP(ip)) errs.push(fieldError.invalid(`spec.clusterIPs[${i}]`, ip, m));
  });
  if ((spec.clusterIPs ?? []).length > 2) errs.push(fieldError.invalid("spec.clusterIPs", spec.clusterIPs, "may only hold up to 2 values"));
  if (spec.ipFamilyPolicy && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    errs.push(fieldError.notSupported("spec.ipFamilyPolicy", spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  }
  (spec.ipFamilies ?? []).forEach((f, i) => {
    if (!IP_FAMILIES.includes(f)) errs.push(fieldError.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
  });
  return errs;
}

function validateServiceSpec(obj: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const spec = specOf(obj);
  if (!spec.type) errs.push(fieldError.required("spec.type"));
  else if (!SERVICE_TYPES.includes(spec.type)) errs.push(fieldError.notSupported("spec.type", spec.type, SERVICE_TYPES));
  if (spec.type === "ExternalName") {
    const ext = (spec.externalName ?? "").replace(/\.$/, "");
    if (!ext) errs.push(fieldError.required("spec.externalName"));
    else errs.push(...checkWith(isDNS1123Subdomain, ext, "spec.externalName"));
  } else if (!(spec.ports ?? []).length && !isHeadless(spec)) {
    errs.push(fieldError.required("spec.ports"));
  }
  errs.push(...validatePorts(spec));
  errs.push(...validateClusterIPs(spec));
  if (spec.selector) errs.push(...validateLabels(spec.selector, "spec.selector"));
  if (!spec.sessionAffinity) errs.push(fieldError.required("spec.sessionAffinity"));
  else if (!SESSION_AFFINITIES.includes(spec.sessionAffinity)) errs.push(fieldError.notSupported("spec.sessionAffinity", spec.sessionAffinity, SESSION_AFFINITIES));
  const timeout = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  if (spec.sessionAffinity === "ClientIP" && timeout !== undefined && (timeout <= 0 || timeout > MAX_CLIENT_IP_AFFINITY_SECONDS)) {
    errs.push(fieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, `must be greater than 0 and less than ${MAX_CLIENT_IP_AFFINITY_SECONDS}`));
  }
  if (spec.sessionAffinity === "None" && spec.sessionAffinityConfig) {
    errs.push(fieldError.invalid("spec.sessionAffinityConfig", spec.sessionAffinityConfig, `must not be set when session affinity is None`));
  }
  if (spec.externalTrafficPolicy) {
    if (!needsNodePorts(spec)) errs.push(fieldError.invalid("spec.externalTrafficPolicy", spec.externalTrafficPolicy, "may only be set for externally-accessible services"));
    else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) errs.push(fieldError.notSupported("spec.externalTrafficPolicy", spec.externalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    errs.push(fieldError.notSupported("spec.internalTrafficPolicy", spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  (spec.externalIPs ?? []).forEach((ip, i) => {
    for (const m of isValidIP(ip)) errs.push(fieldError.invalid(`spec.externalIPs[${i}]`, ip, m));
  });
  if (spec.loadBalancerSourceRanges?.length && spec.type !== "LoadBalancer") {
    errs.push(fieldError.forbidden("spec.loadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
  }
  if (spec.healthCheckNodePort && !(spec.type === "LoadBalancer" && spec.externalTrafficPolicy === "Local")) {
    errs.push(fieldError.invalid("spec.healthCheckNodePort", spec.healthCheckNodePort, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  }
  return errs;
}

function validateServiceUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  const spec = specOf(obj);
  const prev = specOf(old);
  // The cluster IP is allocated once; only a switch to/from ExternalName releases it.
  if (needsClusterIP(spec) && needsClusterIP(prev) && (prev.clusterIP ?? "") !== (spec.clusterIP ?? "")) {
    errs.push(fieldError.invalid("spec.clusterIP", spec.clusterIP ?? "", "field is immutable"));
  }
  if (needsClusterIP(spec) && needsClusterIP(prev) && prev.ipFamilies?.[0] && spec.ipFamilies?.[0] && prev.ipFamilies[0] !== spec.ipFamilies[0]) {
    errs.push(fieldError.invalid("spec.ipFamilies[0]", spec.ipFamilies[0], "may not change once set"));
  }
  return errs;
}

/**
 * Clears what the new type no longer uses, when the client left it unchanged (upstream
 * `dropTypeDependentFields`): switching NodePort → ClusterIP drops the node ports, → ExternalName drops
 * the cluster IPs, so `kubectl apply` of the new type just works.
 */
function dropTypeDependentFields(spec: ServiceSpec, prev: ServiceSpec): void {
  const type = spec.type || "ClusterIP";
  if (needsClusterIP(prev) && !needsClusterIP({ type }) && jsonEqual(spec.clusterIPs ?? [], prev.clusterIPs ?? []) && (spec.clusterIP ?? "") === (prev.clusterIP ?? "")) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    if (jsonEqual(spec.ipFamilies ?? [], prev.ipFamilies ?? [])) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === prev.ipFamilyPolicy) delete spec.ipFamilyPolicy;
  }
  if (!needsClusterIP({ type }) && spec.internalTrafficPolicy === prev.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  if (needsNodePorts(prev) && !needsNodePorts({ type })) {
    const same = (spec.ports ?? []).every((p) => !p.nodePort || (prev.ports ?? []).some((o) => o.nodePort === p.nodePort));
    if (same) for (const p of spec.ports ?? []) delete p.nodePort;
    if (spec.externalTrafficPolicy === prev.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (type !== "LoadBalancer") {
    if (spec.healthCheckNodePort && spec.healthCheckNodePort === prev.healthCheckNodePort) delete spec.healthCheckNodePort;
    if (spec.allocateLoadBalancerNodePorts === prev.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === prev.loadBalancerClass) delete spec.loadBalancerClass;
  }
}

/** Keeps allocated values a client left out of an update (upstream service REST `patchAllocatedValues`). */
function keepAllocatedValues(obj: KubeObject, old: KubeObject): void {
  const spec = specOf(obj);
  const prev = specOf(old);
  dropTypeDependentFields(spec, prev);
  if (needsClusterIP(prev) && needsClusterIP({ ...spec, type: spec.type || "ClusterIP" })) {
    if (!spec.clusterIP && !spec.clusterIPs?.length) {
      if (prev.clusterIP) spec.clusterIP = prev.clusterIP;
      if (prev.clusterIPs) spec.clusterIPs = [...prev.clusterIPs];
    }
    if (!spec.ipFamilies?.length && prev.ipFamilies) spec.ipFamilies = [...prev.ipFamilies];
    spec.ipFamilyPolicy ||= prev.ipFamilyPolicy;
  }
  if (needsNodePorts(prev) && needsNodePorts({ ...spec })) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const match = (prev.ports ?? []).find((o) => o.port === p.port && (o.protocol ?? "TCP") === (p.protocol ?? "TCP") && o.nodePort);
      if (match) p.nodePort = match.nodePort;
    }
    if (!spec.healthCheckNodePort && prev.healthCheckNodePort && spec.externalTrafficPolicy === "Local") spec.healthCheckNodePort = prev.healthCheckNodePort;
  }
}

/** Upstream `makePortString`: "80/TCP,443:30443/TCP". */
export function servicePorts(ports: ServicePort[] | undefined): string {
  const s = (ports ?? []).map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
  return s || "<none>";
}

function loadBalancerIPs(status: ServiceStatus | undefined, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of status?.loadBalancer?.ingress ?? []) {
    if (ing.ip) set.add(ing.ip);
    else if (ing.hostname) set.add(ing.hostname);
  }
  let r = [...set].sort().join(",");
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = r.slice(0, LOAD_BALANCER_WIDTH - 3) + "...";
  return r;
}

/**
 * The EXTERNAL-IP cell (upstream `getServiceExternalIP`). The server prints tables wide, as upstream's
 * table convertor does.
 *
 * @example serviceExternalIP({ spec: { type: "LoadBalancer" } }) === "<pending>"
 */
export function serviceExternalIP(svc: Pick<Service, "spec" | "status">, wide = true): string {
  const spec = svc.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type) {
    case "ClusterIP":
    case "NodePort":
      return external.length ? external.join(",") : "<none>";
    case "LoadBalancer": {
      const lb = loadBalancerIPs(svc.status, wide);
      if (external.length) return [...(lb ? lb.split(",") : []), ...external].join(",");
      return lb || "<pending>";
    }
    case "ExternalName":
      return spec.externalName ?? "";
    default:
      return "<unknown>";
  }
}

const serviceTable: TableSpec = {
  columns: [
    NAME_COLUMN,
    column("Type", FIELD_DOCS["ServiceSpec.type"]),
    column("Cluster-IP", FIELD_DOCS["ServiceSpec.clusterIP"]),
    column("External-IP", FIELD_DOCS["ServiceSpec.externalIPs"]),
    column("Port(s)", FIELD_DOCS["ServiceSpec.ports"]),
    AGE_COLUMN,
    column("Selector", FIELD_DOCS["ServiceSpec.selector"], 1),
  ],
  cells(obj, now) {
    const spec = specOf(obj);
    return [
      obj.metadata.name ?? "",
      spec.type ?? "",
      spec.clusterIPs?.[0] || spec.clusterIP || "<none>",
      serviceExternalIP({ spec, status: obj.status as ServiceStatus | undefined }),
      servicePorts(spec.ports),
      age(obj, now),
      formatMapSelector(spec.selector),
    ];
  },
};

export const services: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Service",
  plural: "services",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  shortNames: ["svc"],
  nameValidator: nameIsDNS1035Label,
  categories: ["all"],
  hasStatus: true,
  returnDeletedObject: true,
  subresources: [
    { name: "proxy", verbs: ["create", "delete", "get", "patch", "update"] },
    { name: "status", verbs: ["get", "patch", "update"] },
  ],
  table: serviceTable,
  defaults: defaultService,
  validate(obj, old, ctx) {
    if (ctx.subresource === "status") return [];
    const errs = validateServiceSpec(obj);
    if (old) errs.push(...validateServiceUpdate(obj, old));
    return errs;
  },
  prepareForCreate(obj) {
    // Upstream resets status on create; a load balancer reports its own ingress later.
    obj.status = { loadBalancer: {} };
  },
  prepareForUpdate: keepAllocatedValues,
  fieldSelectors: {
    "spec.clusterIP": (o) => specOf(o).clusterIP ?? "",
    "spec.type": (o) => specOf(o).type ?? "",
  },
});
