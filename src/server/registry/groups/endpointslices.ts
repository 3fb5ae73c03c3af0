/**
 * discovery.k8s.io/v1 EndpointSlice: defaults (port name "", protocol TCP), validation
 * (pkg/apis/discovery/validation) and table (`printEndpointSlice`).
 */
import { isIP } from "node:net";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain, validateLabels } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, immutable } from "./common.js";

/** Upstream limits (pkg/apis/discovery/validation). */
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_TOPOLOGY_LABELS = 16;
const MAX_ZONE_HINTS = 8;
/** The table lists at most this many ports / addresses before "+ N more...". */
const MAX_LISTED = 3;
const ADDRESS_TYPES = ["FQDN", "IPv4", "IPv6"];
const PROTOCOLS = ["SCTP", "TCP", "UDP"];

/**
 * Upstream `SetDefaults_EndpointPort`.
 *
 * @example defaultEndpointSlice(eps); // eps.ports[0].protocol === "TCP", name ""
 */
export function defaultEndpointSlice(obj: KubeObject): void {
  for (const p of (obj as unknown as EndpointSlice).ports ?? []) {
    p.name ??= "";
    p.protocol ??= "TCP";
  }
}

/**
 * Upstream `ValidateEndpointIP`: endpoints may not point at unspecified, loopback or link-local
 * addresses (they mean "this node" or its metadata service, never a pod).
 */
function validateEndpointIP(ip: string, path: string): StatusCause[] {
  const family = isIP(ip);
  if (family === 0) return [fieldError.invalid(path, ip, "must be a valid IP address")];
  const v4 = family === 4;
  const lower = ip.toLowerCase();
  const causes: StatusCause[] = [];
  if (v4 ? ip === "0.0.0.0" : /^[0:]+$/.test(lower)) causes.push(fieldError.invalid(path, ip, `may not be unspecified (${ip})`));
  if (v4 ? ip.startsWith("127.") : lower === "::1") causes.push(fieldError.invalid(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  if (v4 ? ip.startsWith("169.254.") : /^fe[89ab]/.test(lower)) causes.push(fieldError.invalid(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  if (v4 ? ip.startsWith("224.0.0.") : lower.startsWith("ff02:")) causes.push(fieldError.invalid(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  return causes;
}

/** Upstream `IsFullyQualifiedDomainName`. */
function fqdn(name: string, path: string): StatusCause[] {
  if (!name) return [fieldError.required(path)];
  const n = name.endsWith(".") ? name.slice(0, -1) : name;
  const causes = isDNS1123Subdomain(n).map((msg) => fieldError.invalid(path, n, msg));
  if (n.split(".").length < 2) causes.push(fieldError.invalid(path, n, "should be a domain with at least two segments separated by dots"));
  for (const label of n.split(".")) for (const msg of isDNS1123Label(label)) causes.push(fieldError.invalid(path, label, msg));
  return causes;
}

function tooMany(path: string, actual: number, max: number): StatusCause {
  return { reason: "FieldValueTooMany", field: path, message: `Too many: ${actual}: must have at most ${max} items` };
}

/**
 * Upstream `ValidateEndpointSlice` (+ immutable addressType on update).
 *
 * @example validateEndpointSlice(eps, undefined) // [] for a valid slice
 */
export function validateEndpointSlice(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const eps = obj as unknown as EndpointSlice;
  const causes: StatusCause[] = [];
  const addressType = eps.addressType ?? "";
  if (!addressType) causes.push(fieldError.required("addressType"));
  else if (!ADDRESS_TYPES.includes(addressType)) causes.push(fieldError.notSupported("addressType", addressType, ADDRESS_TYPES));
  const endpoints = eps.endpoints ?? [];
  // Upstream stops at the count when there are too many endpoints or ports.
  if (endpoints.length > MAX_ENDPOINTS) causes.push(tooMany("endpoints", endpoints.length, MAX_ENDPOINTS));
  else endpoints.forEach((ep, i) => {
    const p = `endpoints[${i}]`;
    const addresses = ep.addresses ?? [];
    if (addresses.length === 0) causes.push(fieldError.required(`${p}.addresses`, "must contain at least 1 address"));
    else if (addresses.length > MAX_ADDRESSES) causes.push(tooMany(`${p}.addresses`, addresses.length, MAX_ADDRESSES));
    addresses.forEach((a, j) => {
      const ap = `${p}.addresses[${j}]`;
      if (addressType === "IPv4" || addressType === "IPv6") {
        const want = addressType === "IPv4" ? 4 : 6;
        if (isIP(a) !== want) causes.push(fieldError.invalid(ap, a, `must be a valid ${addressType} address`));
        causes.push(...validateEndpointIP(a, ap));
      } else if (addressType === "FQDN") {
        causes.push(...fqdn(a, ap));
      }
    });
    if (ep.nodeName !== undefined) for (const msg of nameIsDNSSubdomain(ep.nodeName, false)) causes.push(fieldError.invalid(`${p}.nodeName`, ep.nodeName, msg));
    const topology = ep.deprecatedTopology ?? {};
    if (Object.keys(topology).length > MAX_TOPOLOGY_LABELS) causes.push(tooMany(`${p}.deprecatedTopology`, Object.keys(topology).length, MAX_TOPOLOGY_LABELS));
    causes.push(...validateLabels(topology, `${p}.deprecatedTopology`));
    if (ep.hostname !== undefined) for (const msg of isDNS1123Label(ep.hostname)) causes.push(fieldError.invalid(`${p}.hostname`, ep.hostname, msg));
    const zones = ep.hints?.forZones ?? [];
    if (zones.length > MAX_ZONE_HINTS) causes.push(tooMany(`${p}.hints.forZones`, zones.length, MAX_ZONE_HINTS));
    else {
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const zp = `${p}.hints.forZones[${j}].name`;
        if (seen.has(z.name)) causes.push(fieldError.duplicate(zp, z.name));
        seen.add(z.name);
        for (const msg of isValidLabelValue(z.name)) causes.push(fieldError.invalid(zp, z.name, msg));
      });
    }
  });
  const ports = eps.ports ?? [];
  const names = new Set<string>();
  if (ports.length > MAX_PORTS) causes.push(tooMany("ports", ports.length, MAX_PORTS));
  else ports.forEach((port, i) => {
    const p = `ports[${i}]`;
    const name = port.name ?? "";
    if (name) for (const msg of isDNS1123Label(name)) causes.push(fieldError.invalid(`${p}.name`, name, msg));
    if (names.has(name)) causes.push(fieldError.duplicate(`${p}.name`, name));
    names.add(name);
    if (port.protocol === undefined) causes.push(fieldError.required(`${p}.protocol`));
    else if (!PROTOCOLS.includes(port.protocol)) causes.push(fieldError.notSupported(`${p}.protocol`, port.protocol, PROTOCOLS));
    if (port.appProtocol !== undefined) for (const msg of isQualifiedName(port.appProtocol)) causes.push(fieldError.invalid(`${p}.appProtocol`, port.appProtocol, msg));
  });
  if (old) causes.push(...immutable(eps.addressType, (old as unknown as EndpointSlice).addressType, "addressType"));
  return causes;
}

/** Upstream `listWithMoreString`. */
function listWithMore(items: string[]): string {
  if (items.length === 0) return "<unset>";
  const shown = items.slice(0, MAX_LISTED).join(",");
  return items.length > MAX_LISTED ? `${shown} + ${items.length - MAX_LISTED} more...` : shown;
}

export const endpointslices: ResourceType = resourceType({
  group: "discovery.k8s.io",
  version: "v1",
  kind: "EndpointSlice",
  plural: "endpointslices",
  namespaced: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name. (Deprecated) The EndpointSlice controller only generates, and kube-proxy only processes, slices of addressType \"IPv4\" and \"IPv6\". No semantics are defined for the \"FQDN\" type."),
      column("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. Each slice may include a maximum of 100 ports. Services always have at least 1 port, so EndpointSlices generated by the EndpointSlice controller will likewise always have at least 1 port. EndpointSlices used for other purposes may have an empty ports list."),
      column("Endpoints", "string", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const eps = obj as unknown as EndpointSlice;
      const ports = (eps.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name ? p.name : "*"));
      const addresses = (eps.endpoints ?? []).flatMap((e) => e.addresses ?? []);
      return [eps.metadata?.name ?? "", eps.addressType ?? "", listWithMore(ports), listWithMore(addresses), age(obj, now)];
    },
  },
  defaults: defaultEndpointSlice,
  validate: (obj, old) => validateEndpointSlice(obj, old),
});
