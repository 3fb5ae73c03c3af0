/**
 * networking.k8s.io/v1 Ingress: validation (pkg/apis/networking/validation `ValidateIngressSpec`),
 * strategy (status reset on create) and table (`printIngress`).
 */
import { isIP } from "node:net";
import type { HTTPIngressPath, Ingress, IngressBackend, IngressSpec } from "kubernetes-types/networking/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import {
  DNS1123_SUBDOMAIN_MAX_LENGTH,
  isDNS1035Label,
  isDNS1123Subdomain,
  isValidPortName,
  isValidPortNum,
  maxLenError,
  nameIsValidPathSegment,
  regexError,
} from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { STATUS_SUBRESOURCE, column, specOf } from "./common.js";

/** The Address column is clipped to this many characters outside `-o wide` (upstream `loadBalancerWidth`). */
const LOAD_BALANCER_WIDTH = 16;
/** At most this many hosts are listed in the Hosts column before "+ N more...". */
const MAX_HOSTS_SHOWN = 3;
/** The pre-IngressClass way to pick a controller; may not be combined with `spec.ingressClassName`. */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
/** Path types upstream supports, sorted as its `NotSupported` message lists them. */
export const INGRESS_PATH_TYPES = ["Exact", "ImplementationSpecific", "Prefix"];
/** Path fragments upstream rejects in Exact/Prefix paths (path traversal and encoded slashes). */
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];

const WILDCARD_DNS1123_SUBDOMAIN_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const WILDCARD_DNS1123_SUBDOMAIN_RE = new RegExp(`^${WILDCARD_DNS1123_SUBDOMAIN_FMT}$`);

/** Upstream `IsWildcardDNS1123Subdomain` ("*.example.com"). */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!WILDCARD_DNS1123_SUBDOMAIN_RE.test(value)) {
    errs.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_DNS1123_SUBDOMAIN_FMT,
        "*.example.com",
      ),
    );
  }
  return errs;
}

/** Hosts with a `*` are checked as wildcard subdomains ("*.example.com"), others as DNS subdomains. */
function hostMessages(host: string): string[] {
  return host.includes("*") ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host);
}

/**
 * Upstream `validateIngressTypedLocalObjectReference` (resource backends and IngressClass parameters):
 * optional apiGroup a DNS subdomain, kind and name required path segments.
 */
export function validateTypedLocalObjectReference(ref: { apiGroup?: string; kind?: string; name?: string }, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (ref.apiGroup !== undefined) for (const msg of isDNS1123Subdomain(ref.apiGroup)) causes.push(fieldError.invalid(`${path}.apiGroup`, ref.apiGroup, msg));
  for (const f of ["kind", "name"] as const) {
    const v = ref[f] ?? "";
    if (!v) causes.push(fieldError.required(`${path}.${f}`, `${f} is required`));
    else for (const msg of nameIsValidPathSegment(v, false)) causes.push(fieldError.invalid(`${path}.${f}`, v, msg));
  }
  return causes;
}

/** Upstream `validateIngressBackend`. Port errors are reported on the backend itself, as upstream does. */
export function validateIngressBackend(backend: IngressBackend, path: string): StatusCause[] {
  const hasService = backend.service !== undefined;
  const hasResource = backend.resource !== undefined;
  if (hasService && hasResource) return [fieldError.invalid(path, "", "cannot set both resource and service backends")];
  if (hasResource) return validateTypedLocalObjectReference(backend.resource!, `${path}.resource`);
  if (!hasService) return [fieldError.invalid(path, "", "resource or service backend is required")];
  const causes: StatusCause[] = [];
  const svc = backend.service!;
  if (!svc.name) causes.push(fieldError.required(`${path}.service.name`));
  else for (const msg of isDNS1035Label(svc.name)) causes.push(fieldError.invalid(`${path}.service.name`, svc.name, msg));
  const port = svc.port ?? {};
  if (port.name && port.number) {
    causes.push(fieldError.invalid(path, "", "cannot set both port name & port number"));
  } else if (port.name) {
    for (const msg of isValidPortName(port.name)) causes.push(fieldError.invalid(`${path}.service.port.name`, port.name, msg));
  } else if (port.number) {
    for (const msg of isValidPortNum(port.number)) causes.push(fieldError.invalid(`${path}.service.port.number`, port.number, msg));
  } else {
    causes.push(fieldError.required(path, "port name or number is required"));
  }
  return causes;
}

/** Upstream `validateHTTPIngressPath`. */
function validateHTTPPath(p: HTTPIngressPath, path: string): StatusCause[] {
  if (!p.pathType) return [fieldError.required(`${path}.pathType`, "pathType must be specified")];
  const causes: StatusCause[] = [];
  const value = p.path ?? "";
  if (p.pathType === "Exact" || p.pathType === "Prefix") {
    if (!value.startsWith("/")) causes.push(fieldError.invalid(`${path}.path`, value, "must be an absolute path"));
    if (value.length > 0) {
      for (const seq of INVALID_PATH_SEQUENCES) if (value.includes(seq)) causes.push(fieldError.invalid(`${path}.path`, value, `must not contain '${seq}'`));
      for (const suffix of INVALID_PATH_SUFFIXES) if (value.endsWith(suffix)) causes.push(fieldError.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
    }
  } else if (p.pathType === "ImplementationSpecific") {
    if (value.length > 0 && !value.startsWith("/")) causes.push(fieldError.invalid(`${path}.path`, value, "must be an absolute path"));
  } else {
    causes.push(fieldError.notSupported(`${path}.pathType`, p.pathType, INGRESS_PATH_TYPES));
  }
  causes.push(...validateIngressBackend(p.backend ?? {}, `${path}.backend`));
  return causes;
}

/**
 * Upstream `ValidateIngressSpec` for networking.k8s.io/v1.
 *
 * @example validateIngress(ing) // [] for a valid Ingress
 */
export function validateIngress(obj: KubeObject, old?: KubeObject): StatusCause[] {
  const spec = specOf<IngressSpec>(obj);
  const causes: StatusCause[] = [];
  const rules = spec.rules ?? [];
  if (rules.length === 0 && !spec.defaultBackend) causes.push(fieldError.invalid("spec", rules, "either `defaultBackend` or `rules` must be specified"));
  if (spec.defaultBackend) causes.push(...validateIngressBackend(spec.defaultBackend, "spec.defaultBackend"));
  rules.forEach((rule, i) => {
    const rp = `spec.rules[${i}]`;
    if (rule.host) {
      if (isIP(rule.host) !== 0) causes.push(fieldError.invalid(`${rp}.host`, rule.host, "must be a DNS name, not an IP address"));
      for (const msg of hostMessages(rule.host)) causes.push(fieldError.invalid(`${rp}.host`, rule.host, msg));
    }
    if (rule.http) {
      const paths = rule.http.paths ?? [];
      if (paths.length === 0) causes.push(fieldError.required(`${rp}.http.paths`));
      paths.forEach((p, j) => causes.push(...validateHTTPPath(p, `${rp}.http.paths[${j}]`)));
    }
  });
  (spec.tls ?? []).forEach((tls, i) => {
    (tls.hosts ?? []).forEach((h, j) => {
      for (const msg of hostMessages(h)) causes.push(fieldError.invalid(`spec.tls[${i}].hosts[${j}]`, h, msg));
    });
    if (tls.secretName) for (const msg of isDNS1123Subdomain(tls.secretName)) causes.push(fieldError.invalid(`spec.tls[${i}].secretName`, tls.secretName, msg));
  });
  if (spec.ingressClassName !== undefined) {
    for (const msg of isDNS1123Subdomain(spec.ingressClassName)) causes.push(fieldError.invalid("spec.ingressClassName", spec.ingressClassName, msg));
    // On create, the legacy class annotation may accompany the field only when both agree.
    const legacy = obj.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
    if (!old && legacy !== undefined && legacy !== spec.ingressClassName) {
      causes.push(fieldError.invalid(`annotations.${INGRESS_CLASS_ANNOTATION}`, legacy, "must match `ingressClassName` when both are specified"));
    }
  }
  return causes;
}

/** Upstream `ValidateIngressLoadBalancerStatus` (writes to /status). */
export function validateIngressStatus(obj: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  ((obj as unknown as Ingress).status?.loadBalancer?.ingress ?? []).forEach((lb, i) => {
    const p = `status.loadBalancer.ingress[${i}]`;
    if (lb.ip && isIP(lb.ip) === 0) causes.push(fieldError.invalid(`${p}.ip`, lb.ip, "must be a valid IP address"));
    if (lb.hostname) {
      for (const msg of isDNS1123Subdomain(lb.hostname)) causes.push(fieldError.invalid(`${p}.hostname`, lb.hostname, msg));
      if (isIP(lb.hostname) !== 0) causes.push(fieldError.invalid(`${p}.hostname`, lb.hostname, "must be a DNS name, not an IP address"));
    }
  });
  return causes;
}

/** Hosts cell (upstream `formatHosts`): "*" without named hosts; at most three, then "+ N more...". */
function hostsText(ing: Ingress): string {
  const rules = ing.spec?.rules ?? [];
  const list: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (list.length === MAX_HOSTS_SHOWN) more = true;
    if (!more && rule.host) list.push(rule.host);
  }
  if (list.length === 0) return "*";
  const text = list.join(",");
  return more ? `${text} + ${rules.length - MAX_HOSTS_SHOWN} more...` : text;
}

/**
 * Address cell (upstream `ingressLoadBalancerStatusStringer`): sorted unique IPs/hostnames. The server
 * renders tables wide, so the text is not clipped; `wide=false` clips to 16 characters like upstream.
 */
export function ingressAddressText(ing: Ingress, wide = true): string {
  const set = new Set<string>();
  for (const lb of ing.status?.loadBalancer?.ingress ?? []) {
    if (lb.ip) set.add(lb.ip);
    else if (lb.hostname) set.add(lb.hostname);
  }
  const text = [...set].sort().join(",");
  return !wide && text.length > LOAD_BALANCER_WIDTH ? text.slice(0, LOAD_BALANCER_WIDTH - 3) + "..." : text;
}

export const ingresses: ResourceType = resourceType({
  group: "networking.k8s.io",
  version: "v1",
  kind: "Ingress",
  plural: "ingresses",
  namespaced: true,
  shortNames: ["ing"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Class", "string", "The name of the IngressClass resource that should be used for additional configuration"),
      column("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
      column("Address", "string", "Address is a list containing ingress points for the load-balancer"),
      column("Ports", "string", "Ports of TLS configurations that open"),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const ing = obj as unknown as Ingress;
      return [
        ing.metadata?.name ?? "",
        ing.spec?.ingressClassName ?? "<none>",
        hostsText(ing),
        ingressAddressText(ing),
        (ing.spec?.tls ?? []).length ? "80, 443" : "80",
        age(obj, now),
      ];
    },
  },
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? validateIngressStatus(obj) : validateIngress(obj, old)),
  prepareForCreate(obj) {
    obj.status = {};
  },
});
