/**
 * Validation of the Job policies (pkg/apis/batch/validation): `podFailurePolicy` rules and
 * `successPolicy` rules with their index-interval format ("1,3-5,7").
 */
import type { JobSpec, PodFailurePolicyRule } from "kubernetes-types/batch/v1.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isQualifiedName } from "../../../shared/api/validation.js";
import { nonNegative } from "./common.js";

/** Upstream limits on policy sizes, which bound the work of the Job controller per pod failure. */
const MAX_POD_FAILURE_POLICY_RULES = 20;
const MAX_ON_EXIT_CODES_VALUES = 255;
const MAX_ON_POD_CONDITIONS_PATTERNS = 20;
const MAX_SUCCESS_POLICY_RULES = 20;
/** `succeededIndexes` is stored in the object, so upstream caps its text at 64 KiB. */
const MAX_SUCCEEDED_INDEXES_LENGTH = 64 * 1024;

const FAILURE_ACTIONS = ["Count", "FailIndex", "FailJob", "Ignore"];
const EXIT_CODE_OPERATORS = ["In", "NotIn"];
const CONDITION_STATUSES = ["False", "True", "Unknown"];

/** Go's `fmt.Sprintf("%q", []string{...})`: `["a" "b"]`. */
function goQuotedList(values: string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(" ")}]`;
}

function tooMany(path: string, actual: number, max: number): StatusCause {
  return { reason: "FieldValueTooMany", field: path, message: `Too many: ${actual}: must have at most ${max} items` };
}

function validateRule(spec: Partial<JobSpec>, rule: PodFailurePolicyRule, path: string, containers: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  const action = rule.action ?? "";
  if (!action) causes.push(fieldError.required(`${path}.action`, `valid values: ${goQuotedList(FAILURE_ACTIONS)}`));
  else if (action === "FailIndex") {
    if (spec.backoffLimitPerIndex === undefined) causes.push(fieldError.invalid(`${path}.action`, action, "requires the backoffLimitPerIndex to be set"));
  } else if (!FAILURE_ACTIONS.includes(action)) causes.push(fieldError.notSupported(`${path}.action`, action, FAILURE_ACTIONS));
  const onExit = rule.onExitCodes;
  if (onExit) {
    const p = `${path}.onExitCodes`;
    const op = onExit.operator ?? "";
    if (!op) causes.push(fieldError.required(`${p}.operator`, `valid values: ${goQuotedList(EXIT_CODE_OPERATORS)}`));
    else if (!EXIT_CODE_OPERATORS.includes(op)) causes.push(fieldError.notSupported(`${p}.operator`, op, EXIT_CODE_OPERATORS));
    if (onExit.containerName !== undefined && !containers.has(onExit.containerName)) {
      causes.push(fieldError.invalid(`${p}.containerName`, onExit.containerName, "must be one of the container or initContainer names in the pod template"));
    }
    const values = onExit.values ?? [];
    if (values.length === 0) causes.push(fieldError.invalid(`${p}.values`, values, "at least one value is required"));
    else if (values.length > MAX_ON_EXIT_CODES_VALUES) causes.push(tooMany(`${p}.values`, values.length, MAX_ON_EXIT_CODES_VALUES));
    const seen = new Set<number>();
    let ordered = true;
    values.forEach((v, j) => {
      if (op === "In" && v === 0) causes.push(fieldError.invalid(`${p}.values[${j}]`, v, "must not be 0 for the In operator"));
      if (seen.has(v)) causes.push(fieldError.duplicate(`${p}.values[${j}]`, v));
      seen.add(v);
      if (j > 0 && values[j - 1]! > v) ordered = false;
    });
    if (!ordered) causes.push(fieldError.invalid(`${p}.values`, values, "must be ordered"));
  }
  const patterns = rule.onPodConditions ?? [];
  if (patterns.length > MAX_ON_POD_CONDITIONS_PATTERNS) causes.push(tooMany(`${path}.onPodConditions`, patterns.length, MAX_ON_POD_CONDITIONS_PATTERNS));
  patterns.forEach((pattern, j) => {
    const p = `${path}.onPodConditions[${j}]`;
    for (const msg of isQualifiedName(pattern.type ?? "")) causes.push(fieldError.invalid(`${p}.type`, pattern.type ?? "", msg));
    const status = pattern.status ?? "";
    if (!status) causes.push(fieldError.required(`${p}.status`, `valid values: ${goQuotedList(CONDITION_STATUSES)}`));
    else if (!CONDITION_STATUSES.includes(status)) causes.push(fieldError.notSupported(`${p}.status`, status, CONDITION_STATUSES));
  });
  // Upstream omits the value from these two messages (field.OmitValueType).
  if (onExit && patterns.length > 0) causes.push({ reason: "FieldValueInvalid", field: path, message: "Invalid value: specifying both OnExitCodes and OnPodConditions is not supported" });
  if (!onExit && patterns.length === 0) causes.push({ reason: "FieldValueInvalid", field: path, message: "Invalid value: specifying one of OnExitCodes and OnPodConditions is required" });
  return causes;
}

/**
 * Upstream `validatePodFailurePolicy`.
 *
 * @example validatePodFailurePolicy(job.spec, "spec.podFailurePolicy")
 */
export function validatePodFailurePolicy(spec: Partial<JobSpec>, path: string): StatusCause[] {
  const rules = spec.podFailurePolicy?.rules ?? [];
  const causes: StatusCause[] = [];
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) causes.push(tooMany(`${path}.rules`, rules.length, MAX_POD_FAILURE_POLICY_RULES));
  const containers = new Set([...(spec.template?.spec?.containers ?? []), ...(spec.template?.spec?.initContainers ?? [])].map((c) => c.name));
  rules.forEach((r, i) => causes.push(...validateRule(spec, r, `${path}.rules[${i}]`, containers)));
  return causes;
}

/**
 * Upstream `validateIndexesFormat`: "1,3-5,7" with increasing, in-range indexes; returns how many
 * indexes the text names, or an error message.
 *
 * @example indexesCount("0,2-4", 5) // { total: 4 }
 */
export function indexesCount(text: string, completions: number): { total: number } | { error: string } {
  if (text.length === 0) return { total: 0 };
  let last: number | undefined;
  let total = 0;
  const parse = (s: string): number | undefined => (/^[+-]?\d+$/.test(s) && Math.abs(Number(s)) < 2 ** 31 ? Number(s) : undefined);
  for (const interval of text.split(",")) {
    const limits = interval.split("-");
    if (limits.length > 2) return { error: `the fragment ${JSON.stringify(interval)} violates the requirement that an index interval can have at most two parts separated by '-'` };
    const x = parse(limits[0]!);
    if (x === undefined) return { error: `cannot convert string to integer for index: ${JSON.stringify(limits[0])}` };
    if (x >= completions) return { error: `too large index: ${JSON.stringify(limits[0])}` };
    if (last !== undefined && last >= x) return { error: `non-increasing order, previous: ${last}, current: ${x}` };
    total++;
    last = x;
    if (limits.length > 1) {
      const y = parse(limits[1]!);
      if (y === undefined) return { error: `cannot convert string to integer for index: ${JSON.stringify(limits[1])}` };
      if (y >= completions) return { error: `too large index: ${JSON.stringify(limits[1])}` };
      if (last >= y) return { error: `non-increasing order, previous: ${last}, current: ${y}` };
      total += y - last;
      last = y;
    }
  }
  return { total };
}

/**
 * Upstream `validateSuccessPolicy` (only reached for Indexed Jobs, which have completions).
 *
 * @example validateSuccessPolicy(job.spec, "spec.successPolicy")
 */
export function validateSuccessPolicy(spec: Partial<JobSpec>, path: string): StatusCause[] {
  const rules = spec.successPolicy?.rules ?? [];
  const causes: StatusCause[] = [];
  if (rules.length === 0) causes.push(fieldError.required(`${path}.rules`, "at least one rules must be specified when the successPolicy is specified"));
  if (rules.length > MAX_SUCCESS_POLICY_RULES) causes.push(tooMany(`${path}.rules`, rules.length, MAX_SUCCESS_POLICY_RULES));
  const completions = spec.completions ?? 0;
  rules.forEach((rule, i) => {
    const p = `${path}.rules[${i}]`;
    if (rule.succeededCount === undefined && rule.succeededIndexes === undefined) causes.push(fieldError.required(p, "at least one of succeededCount or succeededIndexes must be specified"));
    let total = 0;
    if (rule.succeededIndexes !== undefined) {
      if (rule.succeededIndexes.length > MAX_SUCCEEDED_INDEXES_LENGTH) causes.push(fieldError.tooLong(`${p}.succeededIndexes`, MAX_SUCCEEDED_INDEXES_LENGTH));
      const parsed = indexesCount(rule.succeededIndexes, completions);
      if ("error" in parsed) causes.push(fieldError.invalid(`${p}.succeededIndexes`, rule.succeededIndexes, `error parsing succeededIndexes: ${parsed.error}`));
      else total = parsed.total;
    }
    if (rule.succeededCount !== undefined) {
      const cp = `${p}.succeededCount`;
      causes.push(...nonNegative(rule.succeededCount, cp));
      if (rule.succeededCount > completions) causes.push(fieldError.invalid(cp, rule.succeededCount, `must be less than or equal to ${completions} (the number of specified completions)`));
      if (rule.succeededIndexes !== undefined && rule.succeededCount > total) {
        causes.push(fieldError.invalid(cp, rule.succeededCount, `must be less than or equal to ${total} (the number of indexes in the specified succeededIndexes field)`));
      }
    }
  });
  return causes;
}
