/**
 * Format checks and object-metadata validation with upstream's wording, so `kubectl` users see the same
 * messages they would from a real apiserver. Sources of truth: apimachinery
 * `pkg/util/validation/validation.go` (+ `api/validate/content`), `pkg/api/validation/objectmeta.go`
 * and `pkg/apis/meta/v1/validation/validation.go`, worded as in Kubernetes 1.32 (the minor we serve).
 *
 * The `is*` functions return `[]` when valid, else upstream's detail strings; the `validate*`
 * functions return `StatusCause`s (reason, field path, message) ready for `invalid(...)`.
 */
import { isIP } from "node:net";
import type { LabelSelector, LabelSelectorRequirement, ManagedFieldsEntry } from "kubernetes-types/meta/v1.js";
import { fieldError, type StatusCause } from "./status.js";
import type { ObjectMeta, OwnerReference } from "./types.js";

export type { LabelSelector, LabelSelectorRequirement };

/** A name validator as used by kinds: `prefix` is true when checking a `generateName` prefix. */
export type NameValidator = (name: string, prefix?: boolean) => string[];

// ---------------------------------------------------------------------------------------------
// Limits (upstream constants)
// ---------------------------------------------------------------------------------------------

/** RFC 1123 / RFC 1035 label length limit (DNS). */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** RFC 1123 subdomain length limit (DNS). */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** RFC 1035 label length limit (DNS). */
export const DNS1035_LABEL_MAX_LENGTH = 63;
/** Label values and the name part of qualified names are at most 63 characters, as upstream. */
export const LABEL_VALUE_MAX_LENGTH = 63;
const QUALIFIED_NAME_MAX_LENGTH = 63;
/** IANA service names (RFC 6335) are at most 15 characters. */
const PORT_NAME_MAX_LENGTH = 15;
/** Sum of all annotation key and value bytes: 256 KiB, so one object cannot bloat every watch event. */
export const TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;
/** `managedFields[].manager` limit, as upstream. */
const FIELD_MANAGER_MAX_LENGTH = 128;
/** `managedFields[].subresource` limit, as upstream. */
const MAX_SUBRESOURCE_NAME_LENGTH = 256;

// ---------------------------------------------------------------------------------------------
// Message builders (upstream's MaxLenError, RegexError, EmptyError, InclusiveRangeError)
// ---------------------------------------------------------------------------------------------

/**
 * `must be no more than N characters`
 * @example maxLenError(63)
 */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Upstream's regex error: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Upstream appends "'x', " per example and " or " between them, hence the double space before "or".
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

/**
 * `must be non-empty`
 * @example "name part " + emptyError()
 */
export function emptyError(): string {
  return "must be non-empty";
}

/**
 * `must be between LO and HI, inclusive`
 * @example inclusiveRangeError(1, 65535)
 */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Byte length as Go's `len(string)` counts it (UTF-8). */
function byteLength(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// ---------------------------------------------------------------------------------------------
// Format checks
// ---------------------------------------------------------------------------------------------

const DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_LABEL_ERR =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);

const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

const DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_ERR =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const DNS1035_LABEL_RE = new RegExp(`^${DNS1035_LABEL_FMT}$`);

const QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const QUALIFIED_NAME_RE = new RegExp(`^${QUALIFIED_NAME_FMT}$`);

const LABEL_VALUE_FMT = `(${QUALIFIED_NAME_FMT})?`;
const LABEL_VALUE_ERR =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);

const C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*";
const C_IDENTIFIER_ERR = "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
const C_IDENTIFIER_RE = new RegExp(`^${C_IDENTIFIER_FMT}$`);

const ENV_VAR_NAME_FMT = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const ENV_VAR_NAME_ERR = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const ENV_VAR_NAME_RE = new RegExp(`^${ENV_VAR_NAME_FMT}$`);

const PERCENT_FMT = "[0-9]+%";
const PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'";
const PERCENT_RE = new RegExp(`^${PERCENT_FMT}$`);

const PORT_NAME_CHARSET_RE = /^[-a-z0-9]+$/;
const PORT_NAME_ONE_LETTER_RE = /[a-z]/;

/**
 * RFC 1123 label (Namespace names, Service names' DNS form, container names).
 * @example isDNS1123Label("my-ns") // []
 */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL_RE.test(value)) {
    // A valid subdomain that is not a valid label (length already checked) must contain dots.
    if (DNS1123_SUBDOMAIN_RE.test(value)) errs.push("must not contain dots");
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
  }
  return errs;
}

/**
 * RFC 1123 subdomain: the default object-name format (≤ 253 characters).
 * @example isDNS1123Subdomain("web.example.com") // []
 */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!DNS1123_SUBDOMAIN_RE.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
  return errs;
}

/**
 * RFC 1035 label (Service names): must start with a letter.
 * @example isDNS1035Label("1abc") // ["a DNS-1035 label must ..."]
 */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL_RE.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"));
  return errs;
}

/**
 * Qualified name (label and annotation keys, finalizers): optional DNS subdomain prefix and `/`, then a
 * name part of ≤ 63 characters.
 * @example isQualifiedName("app.kubernetes.io/name") // []
 */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push("prefix part " + emptyError());
    else for (const msg of isDNS1123Subdomain(prefix)) errs.push("prefix part " + msg);
  } else {
    return [
      "a qualified name " +
        regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc") +
        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push("name part " + emptyError());
  else if (name.length > QUALIFIED_NAME_MAX_LENGTH) errs.push("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
  if (!QUALIFIED_NAME_RE.test(name)) errs.push("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
  return errs;
}

/**
 * Label value: empty, or ≤ 63 alphanumerics with `-_.` inside.
 * @example isValidLabelValue("v1.2") // []
 */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!LABEL_VALUE_RE.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/**
 * Non-zero TCP/UDP port number.
 * @example isValidPortNum(0) // ["must be between 1 and 65535, inclusive"]
 */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/**
 * IANA_SVC_NAME (RFC 6335): ≤ 15 of `[-a-z0-9]`, at least one letter, no `--`, no leading/trailing `-`.
 * @example isValidPortName("http-metrics") // []
 */
export function isValidPortName(name: string): string[] {
  const errs: string[] = [];
  if (name.length > PORT_NAME_MAX_LENGTH) errs.push(maxLenError(PORT_NAME_MAX_LENGTH));
  if (!PORT_NAME_CHARSET_RE.test(name)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!PORT_NAME_ONE_LETTER_RE.test(name)) errs.push("must contain at least one letter (a-z)");
  if (name.includes("--")) errs.push("must not contain consecutive hyphens");
  if (name.length > 0 && (name.startsWith("-") || name.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

/**
 * C identifier (format only, no length limit).
 * @example isCIdentifier("MY_VAR") // []
 */
export function isCIdentifier(value: string): string[] {
  return C_IDENTIFIER_RE.test(value) ? [] : [regexError(C_IDENTIFIER_ERR, C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName")];
}

/** Upstream's `hasChDirPrefix`: names that would be a path component of their own. */
function hasChDirPrefix(value: string): string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  if (value.startsWith("..")) return ["must not start with '..'"];
  return [];
}

/**
 * Environment variable name (the strict, pre-RelaxedEnvironmentVariableValidation rule).
 * @example isEnvVarName("MY_ENV.NAME") // []
 */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!ENV_VAR_NAME_RE.test(value)) errs.push(regexError(ENV_VAR_NAME_ERR, ENV_VAR_NAME_FMT, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** IPv4 with optional leading zeros per octet, which Go's `ParseIPSloppy` (and so upstream) accepts. */
const SLOPPY_IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * IPv4 or IPv6 address, accepting what upstream's `ParseIPSloppy` accepts (leading zeros in IPv4 octets),
 * rejecting zones (`fe80::1%eth0`) and CIDRs.
 * @example isValidIP("10.43.0.1") // []
 */
export function isValidIP(value: string): string[] {
  const bad = ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
  if (value.includes("%")) return bad;
  if (isIP(value) !== 0) return [];
  const m = SLOPPY_IPV4_RE.exec(value);
  if (m && m.slice(1).every((o) => Number(o) <= 255)) return [];
  return bad;
}

/**
 * Percent string such as `25%` (rolling-update maxSurge/maxUnavailable).
 * @example isValidPercent("25%") // []
 */
export function isValidPercent(value: string): string[] {
  return PERCENT_RE.test(value) ? [] : [regexError(PERCENT_ERR, PERCENT_FMT, "1%", "93%")];
}

/**
 * Value in `[min, max]` inclusive.
 * @example isInRange(0, 0, 100) // []
 */
export function isInRange(value: number, min: number, max: number): string[] {
  return Number.isInteger(value) && value >= min && value <= max ? [] : [inclusiveRangeError(min, max)];
}

const CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";
const CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const CONFIG_MAP_KEY_RE = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);

/**
 * ConfigMap / Secret data key.
 * @example isConfigMapKey("app.properties") // []
 */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!CONFIG_MAP_KEY_RE.test(value)) errs.push(regexError(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/**
 * CIDR such as `10.42.0.0/16` or `fd00::/64` (returns upstream's detail string on failure).
 * @example isValidCIDR("10.43.0.0/16") // []
 */
export function isValidCIDR(value: string): string[] {
  const bad = ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
  const slash = value.indexOf("/");
  if (slash < 0) return bad;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits) || isValidIP(ip).length) return bad;
  const max = isIP(ip) === 6 ? 128 : 32;
  return Number(bits) <= max ? [] : bad;
}

// ---------------------------------------------------------------------------------------------
// Name validators for kinds (upstream's NameIsDNSSubdomain, NameIsDNSLabel, NameIsDNS1035Label)
// ---------------------------------------------------------------------------------------------

/** For `generateName` prefixes a trailing `-` is fine (a suffix follows), as upstream's `maskTrailingDash`. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith("-") ? name.slice(0, -1) + "a" : name;
}

/**
 * Default object-name rule: DNS-1123 subdomain.
 * @example nameIsDNSSubdomain("web-", true) // [] (generateName prefix)
 */
export const nameIsDNSSubdomain: NameValidator = (name, prefix = false) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);

/**
 * Object-name rule for kinds named like DNS labels (Namespace, …).
 * @example validateObjectMeta(ns.metadata, { namespaced: false, nameValidator: nameIsDNSLabel })
 */
export const nameIsDNSLabel: NameValidator = (name, prefix = false) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);

/**
 * Object-name rule for kinds named like DNS-1035 labels (Service).
 * @example validateObjectMeta(svc.metadata, { namespaced: true, nameValidator: nameIsDNS1035Label })
 */
export const nameIsDNS1035Label: NameValidator = (name, prefix = false) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);

/**
 * Path-segment-safe names (upstream's `path.IsValidPathSegmentName`), used by kinds with no DNS rule.
 * @example validateObjectMeta(role.metadata, { namespaced: true, nameValidator: nameIsValidPathSegment })
 */
export const nameIsValidPathSegment: NameValidator = (name, prefix = false) => {
  const errs: string[] = [];
  if (!prefix && (name === "." || name === "..")) errs.push(`may not be '${name}'`);
  if (name.includes("/")) errs.push("may not contain '/'");
  if (name.includes("%")) errs.push("may not contain '%'");
  return errs;
};

// ---------------------------------------------------------------------------------------------
// StatusCause validators
// ---------------------------------------------------------------------------------------------

/** FieldValueTooLong as Kubernetes 1.32 words it (`Too long: may not be more than N bytes`). */
function tooLongBytes(field: string, max: number): StatusCause {
  return fieldError.tooLong(field, max);
}

/**
 * Label keys (qualified names) and values; errors are reported on the map path, as upstream.
 * @example validateLabels({ app: "web" }, "metadata.labels") // []
 */
export function validateLabels(labels: Record<string, string> | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!labels) return causes;
  for (const [k, v] of Object.entries(labels)) {
    causes.push(...validateLabelName(k, path));
    if (typeof v !== "string") {
      causes.push(fieldError.invalid(path, v, "must be a string"));
      continue;
    }
    for (const msg of isValidLabelValue(v)) causes.push(fieldError.invalid(path, v, msg));
  }
  return causes;
}

/**
 * A label key on its own (`matchExpressions[].key`, condition types, …).
 * @example validateLabelName(cond.type, "status.conditions[0].type")
 */
export function validateLabelName(name: string, path: string): StatusCause[] {
  return isQualifiedName(name).map((msg) => fieldError.invalid(path, name, msg));
}

/**
 * Annotation keys (qualified names, case-insensitive) and the 256 KiB total size limit.
 * @example validateAnnotations({ "example.com/note": "hi" }, "metadata.annotations") // []
 */
export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!annotations) return causes;
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const msg of isQualifiedName(k.toLowerCase())) causes.push(fieldError.invalid(path, k, msg));
    if (typeof v !== "string") causes.push(fieldError.invalid(path, v, "must be a string"));
    total += byteLength(k) + (typeof v === "string" ? byteLength(v) : 0);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) causes.push(tooLongBytes(path, TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
  return causes;
}

/** Operators a `metav1.LabelSelectorRequirement` may use. */
export const LABEL_SELECTOR_OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

/**
 * One `matchExpressions` entry, as upstream's `ValidateLabelSelectorRequirement`.
 * @example validateLabelSelectorRequirement(expr, "spec.selector.matchExpressions[0]")
 */
export function validateLabelSelectorRequirement(req: LabelSelectorRequirement, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) causes.push(fieldError.required(`${path}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) causes.push(fieldError.forbidden(`${path}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    default:
      causes.push(fieldError.invalid(`${path}.operator`, req.operator, "not a valid selector operator"));
  }
  causes.push(...validateLabelName(req.key ?? "", `${path}.key`));
  return causes;
}

/**
 * `metav1.LabelSelector` (matchLabels + matchExpressions). `undefined` is valid (no selector).
 * @example validateLabelSelector({ matchLabels: { app: "web" } }, "spec.selector") // []
 */
export function validateLabelSelector(sel: LabelSelector | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!sel) return causes;
  causes.push(...validateLabels(sel.matchLabels, `${path}.matchLabels`));
  (sel.matchExpressions ?? []).forEach((expr, i) => causes.push(...validateLabelSelectorRequirement(expr, `${path}.matchExpressions[${i}]`)));
  return causes;
}

/** Kinds that may never own other objects, as upstream's `BannedOwners`. */
const BANNED_OWNERS = new Set(["/v1, Kind=Event"]);

function gvkString(apiVersion: string, kind: string): string {
  const i = apiVersion.indexOf("/");
  const group = i < 0 ? "" : apiVersion.slice(0, i);
  const version = i < 0 ? apiVersion : apiVersion.slice(i + 1);
  return `${group}/${version}, Kind=${kind}`;
}

/**
 * `metadata.ownerReferences`: required fields, banned owners, at most one controller.
 * @example validateOwnerReferences(meta.ownerReferences, "metadata.ownerReferences")
 */
export function validateOwnerReferences(refs: OwnerReference[] | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  let firstController = "";
  for (const ref of refs ?? []) {
    const apiVersion = ref.apiVersion ?? "";
    const slash = apiVersion.indexOf("/");
    const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
    if (!version) causes.push(fieldError.invalid(`${path}.apiVersion`, apiVersion, "version must not be empty"));
    if (!ref.kind) causes.push(fieldError.invalid(`${path}.kind`, ref.kind ?? "", "must not be empty"));
    if (!ref.name) causes.push(fieldError.invalid(`${path}.name`, ref.name ?? "", "must not be empty"));
    if (!ref.uid) causes.push(fieldError.invalid(`${path}.uid`, ref.uid ?? "", "must not be empty"));
    const gvk = gvkString(apiVersion, ref.kind ?? "");
    if (BANNED_OWNERS.has(gvk)) causes.push(fieldError.invalid(path, ref, `${gvk} is disallowed from being an owner`));
    if (ref.controller === true) {
      const current = `${ref.kind}/${ref.name}`;
      if (firstController) {
        causes.push(
          fieldError.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`),
        );
      } else {
        firstController = current;
      }
    }
  }
  return causes;
}

/** Finalizer that orphans dependents on delete. */
export const FINALIZER_ORPHAN_DEPENDENTS = "orphan";
/** Finalizer that deletes dependents in the foreground. */
export const FINALIZER_DELETE_DEPENDENTS = "foregroundDeletion";

/**
 * `metadata.finalizers`: qualified names; `orphan` and `foregroundDeletion` are exclusive.
 * @example validateFinalizers(meta.finalizers, "metadata.finalizers")
 */
export function validateFinalizers(finalizers: string[] | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!finalizers) return causes;
  for (const f of finalizers) for (const msg of isQualifiedName(f)) causes.push(fieldError.invalid(path, f, msg));
  if (finalizers.includes(FINALIZER_ORPHAN_DEPENDENTS) && finalizers.includes(FINALIZER_DELETE_DEPENDENTS)) {
    causes.push(fieldError.invalid(path, finalizers, `finalizer ${FINALIZER_ORPHAN_DEPENDENTS} and ${FINALIZER_DELETE_DEPENDENTS} cannot be both set`));
  }
  return causes;
}

/**
 * `managedFields` entries: operation, fieldsType, manager, subresource.
 * @example validateManagedFields(meta.managedFields, "metadata.managedFields")
 */
export function validateManagedFields(entries: ManagedFieldsEntry[] | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  (entries ?? []).forEach((e, i) => {
    const p = `${path}[${i}]`;
    if (e.operation !== "Apply" && e.operation !== "Update") causes.push(fieldError.invalid(`${p}.operation`, e.operation ?? "", "must be `Apply` or `Update`"));
    if (e.fieldsType && e.fieldsType !== "FieldsV1") causes.push(fieldError.invalid(`${p}.fieldsType`, e.fieldsType, "must be `FieldsV1`"));
    const manager = e.manager ?? "";
    if (manager.length > FIELD_MANAGER_MAX_LENGTH) causes.push(tooLongBytes(`${p}.manager`, FIELD_MANAGER_MAX_LENGTH));
    let pos = 0;
    for (const ch of manager) {
      // Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
      if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
        const cp = ch.codePointAt(0)!;
        causes.push(fieldError.invalid(`${p}.manager`, manager, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, "0")} (at position ${pos})`));
      }
      pos += byteLength(ch);
    }
    if ((e.subresource ?? "").length > MAX_SUBRESOURCE_NAME_LENGTH) causes.push(tooLongBytes(`${p}.subresource`, MAX_SUBRESOURCE_NAME_LENGTH));
  });
  return causes;
}

/** Options for `validateObjectMeta`. */
export interface ObjectMetaValidationOptions {
  /** True for namespaced kinds: `metadata.namespace` is then required, else forbidden. */
  namespaced: boolean;
  /** Name format for the kind; default DNS-1123 subdomain (≤ 253). Called with `prefix=true` for generateName. */
  nameValidator?: NameValidator;
  /** Field path of the metadata; default `metadata`. */
  path?: string;
}

/**
 * Validates `metadata` on create, as upstream's `ValidateObjectMeta`. Call it after name generation; a
 * missing name is still accepted when `generateName` is set (the prefix is then checked instead), so it
 * also works before generation.
 * @example
 * const causes = validateObjectMeta(obj.metadata, { namespaced: true });
 * if (causes.length) throw invalid("apps", "Deployment", obj.metadata.name ?? "", causes);
 */
export function validateObjectMeta(meta: ObjectMeta, opts: ObjectMetaValidationOptions): StatusCause[] {
  const path = opts.path ?? "metadata";
  const nameFn = opts.nameValidator ?? nameIsDNSSubdomain;
  const causes: StatusCause[] = [];
  const name = meta.name ?? "";
  const generateName = meta.generateName ?? "";
  if (generateName) for (const msg of nameFn(generateName, true)) causes.push(fieldError.invalid(`${path}.generateName`, generateName, msg));
  if (!name) {
    if (!generateName) causes.push(fieldError.required(`${path}.name`, "name or generateName is required"));
  } else {
    for (const msg of nameFn(name, false)) causes.push(fieldError.invalid(`${path}.name`, name, msg));
  }
  const namespace = meta.namespace ?? "";
  if (opts.namespaced) {
    if (!namespace) causes.push(fieldError.required(`${path}.namespace`));
    else for (const msg of isDNS1123Label(namespace)) causes.push(fieldError.invalid(`${path}.namespace`, namespace, msg));
  } else if (namespace) {
    causes.push(fieldError.forbidden(`${path}.namespace`, "not allowed on this type"));
  }
  causes.push(...validateCommon(meta, path));
  return causes;
}

/** The checks shared by create and update. */
function validateCommon(meta: ObjectMeta, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  causes.push(...validateNonnegativeField(meta.generation, `${path}.generation`));
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  causes.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  causes.push(...validateManagedFields(meta.managedFields, `${path}.managedFields`));
  return causes;
}

/** Deep equality of JSON values, enough for metadata fields (strings, numbers, undefined). */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonicalJSON(a)) === JSON.stringify(canonicalJSON(b));
}

/** Sorts object keys so equality ignores key order; `undefined` and `null` are the same (Go's nil). */
function canonicalJSON(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return v.map(canonicalJSON);
  if (typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonicalJSON(x);
    }
    return out;
  }
  return v;
}

/**
 * `field is immutable` unless the new value deep-equals the old one (upstream's `ValidateImmutableField`).
 * @example validateImmutableField(newDeploy.spec.selector, oldDeploy.spec.selector, "spec.selector")
 */
export function validateImmutableField(newValue: unknown, oldValue: unknown, path: string): StatusCause[] {
  return sameValue(newValue, oldValue) ? [] : [fieldError.invalid(path, newValue ?? null, "field is immutable")];
}

/**
 * `must be greater than or equal to 0` for negative numbers (upstream's `ValidateNonnegativeField`).
 * @example validateNonnegativeField(spec.replicas, "spec.replicas")
 */
export function validateNonnegativeField(value: number | undefined, path: string): StatusCause[] {
  return value !== undefined && value < 0 ? [fieldError.invalid(path, value, "must be greater than or equal to 0")] : [];
}

/**
 * Validates `metadata` on update against the stored object, as upstream's `ValidateObjectMetaUpdate`:
 * name, namespace, uid, creationTimestamp, deletionTimestamp and deletionGracePeriodSeconds are
 * immutable; resourceVersion must be set (unconditional updates copy the stored one in first);
 * generation may not go down; no new finalizers once deletion started; plus the create-time checks on
 * labels, annotations, ownerReferences, finalizers and managedFields.
 * @example validateObjectMetaUpdate(newObj.metadata, oldObj.metadata)
 */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = "metadata"): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old.deletionTimestamp) {
    const oldSet = new Set(old.finalizers ?? []);
    const extra = [...new Set((meta.finalizers ?? []).filter((f) => !oldSet.has(f)))].sort();
    if (extra.length) {
      causes.push(
        fieldError.forbidden(`${path}.finalizers`, `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(", ")}}`),
      );
    }
  }
  if (!meta.resourceVersion) causes.push(fieldError.invalid(`${path}.resourceVersion`, meta.resourceVersion ?? "", "must be specified for an update"));
  if ((meta.generation ?? 0) < (old.generation ?? 0)) causes.push(fieldError.invalid(`${path}.generation`, meta.generation ?? 0, "must not be decremented"));
  const immutable: (keyof ObjectMeta)[] = ["name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"];
  for (const key of immutable) causes.push(...validateImmutableField(meta[key], old[key], `${path}.${key}`));
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  causes.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`));
  causes.push(...validateManagedFields(meta.managedFields, `${path}.managedFields`));
  return causes;
}
