/**
 * Endpoints (core/v1): the addresses behind a Service, written by the endpoints controller.
 * Validation after upstream `ValidateEndpoints`; the ENDPOINTS column as upstream's `formatEndpoints`.
 */
import { isIP } from "node:net";
import type { EndpointAddress, EndpointSubset } from "kubernetes-types/core/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortNum } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { FIELD_DOCS } from "./column-docs.js";
import { column } from "./columns.js";
import { checkWith, requiredDNSLabel } from "./field-checks.js";
import { PORT_PROTOCOLS } from "./pod-validation.js";

/** The ENDPOINTS cell lists this many addresses, then "+ N more..." (upstream `formatEndpoints`). */
const MAX_LISTED_ENDPOINTS = 3;

function subsetsOf(obj: KubeObject): EndpointSubset[] {
  return (obj.subsets ?? []) as EndpointSubset[];
}

/** Addresses an endpoint may not use (upstream `validateNonSpecialIP`). */
function specialIPMessage(ip: string): string | undefined {
  const v = isIP(ip);
  if (v === 4) {
    if (ip === "0.0.0.0") return "may not be unspecified (0.0.0.0)";
    if (ip.startsWith("127.")) return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
    if (ip.startsWith("169.254.")) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
    if (ip.startsWith("224.0.0.")) return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
  } else if (v === 6) {
    const lower = ip.toLowerCase();
    if (lower === "::") return "may not be unspecified (::)";
    if (lower === "::1") return "may not be in the loopback range (127.0.0.0/8, ::1/128)";
    if (/^fe[89ab]/.test(lower)) return "may not be in the link-local range (169.254.0.0/16, fe80::/10)";
    if (lower.startsWith("ff02:")) return "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)";
  }
  return undefined;
}

function validateAddress(a: EndpointAddress, p: string): StatusCause[] {
  const errs: StatusCause[] = [];
  const ipMsgs = isValidIP(a.ip ?? "");
  errs.push(...ipMsgs.map((m) => fieldError.invalid(`${p}.ip`, a.ip ?? "", m)));
  const special = ipMsgs.length ? undefined : specialIPMessage(a.ip);
  if (special) errs.push(fieldError.invalid(`${p}.ip`, a.ip, special));
  if (a.hostname) errs.push(...checkWith(isDNS1123Label, a.hostname, `${p}.hostname`));
  if (a.nodeName) errs.push(...checkWith(isDNS1123Subdomain, a.nodeName, `${p}.nodeName`));
  return errs;
}

function validateEndpoints(obj: KubeObject): StatusCause[] {
  const errs: StatusCause[] = [];
  subsetsOf(obj).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!ss.addresses?.length && !ss.notReadyAddresses?.length) {
      errs.push(fieldError.required(`${p}.addresses`, "must specify `addresses` or `notReadyAddresses`"));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${p}.addresses[${j}]`)));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = ss.ports ?? [];
    const names = new Set<string>();
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (ports.length > 1 || port.name) {
        errs.push(...requiredDNSLabel(port.name, `${pp}.name`));
        if (port.name && names.has(port.name)) errs.push(fieldError.duplicate(`${pp}.name`, port.name));
        if (port.name) names.add(port.name);
      }
      errs.push(...isValidPortNum(port.port).map((m) => fieldError.invalid(`${pp}.port`, port.port, m)));
      if (!port.protocol) errs.push(fieldError.required(`${pp}.protocol`));
      else if (!PORT_PROTOCOLS.includes(port.protocol)) errs.push(fieldError.notSupported(`${pp}.protocol`, port.protocol, PORT_PROTOCOLS));
    });
  });
  return errs;
}

/**
 * The ENDPOINTS cell: "10.42.0.5:80,10.42.0.6:80 + 2 more...", "<none>" when empty (upstream `formatEndpoints`).
 *
 * @example formatEndpoints([{ addresses: [{ ip: "10.42.0.5" }], ports: [{ port: 80 }] }]) === "10.42.0.5:80"
 */
export function formatEndpoints(subsets: EndpointSubset[]): string {
  if (!subsets.length) return "<none>";
  const list: string[] = [];
  let count = 0;
  const add = (s: string) => {
    if (list.length < MAX_LISTED_ENDPOINTS) list.push(s);
    count++;
  };
  for (const ss of subsets) {
    if (!ss.ports?.length) {
      for (const a of ss.addresses ?? []) add(a.ip);
    } else {
      for (const port of ss.ports) for (const a of ss.addresses ?? []) add(a.ip.includes(":") ? `[${a.ip}]:${port.port}` : `${a.ip}:${port.port}`);
    }
  }
  const joined = list.join(",");
  return count > MAX_LISTED_ENDPOINTS ? `${joined} + ${count - MAX_LISTED_ENDPOINTS} more...` : joined;
}

export const endpoints: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "Endpoints",
  plural: "endpoints",
  singular: "endpoints",
  namespaced: true,
  shortNames: ["ep"],
  generationTracksSpec: false,
  table: {
    columns: [NAME_COLUMN, column("Endpoints", FIELD_DOCS["Endpoints.subsets"]), AGE_COLUMN],
    cells: (obj, now) => [obj.metadata.name ?? "", formatEndpoints(subsetsOf(obj)), age(obj, now)],
  },
  defaults(obj) {
    for (const ss of subsetsOf(obj)) for (const p of ss.ports ?? []) p.protocol ||= "TCP";
  },
  validate: (obj) => validateEndpoints(obj),
});
