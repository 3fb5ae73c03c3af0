/**
 * batch/v1 CronJob: defaults (Allow, not suspended, history 3 successful / 1 failed), validation
 * (pkg/apis/batch/validation `ValidateCronJobCreate/Update`: schedule syntax, time zone, job template),
 * strategy and table (`printCronJob`).
 */
import type { CronJob, CronJobSpec, CronJobStatus, JobSpec, JobTemplateSpec } from "kubernetes-types/batch/v1.js";
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { defaultPodTemplateSpec } from "../core-v1/pod-defaults.js";
import { AGE_COLUMN, NAME_COLUMN, age, formatLabelSelector } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { CONTAINERS_COLUMN, IMAGES_COLUMN, STATUS_SUBRESOURCE, column, containerCells, ensure, nonNegative, since, specOf } from "./common.js";
import { CronScheduleError, isKnownTimeZone, parseCronSchedule } from "./cron-schedule.js";
import { validateJobSpecCommon } from "./jobs.js";

/** Finished Jobs kept per CronJob, as upstream defaults: enough to debug without piling up. */
export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 3;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 1;
/**
 * Job names are `<cronjob>-<11-char timestamp suffix>` and must fit a 63-character DNS label, so
 * CronJob names are limited to 63 - 11.
 */
export const MAX_CRONJOB_NAME_LENGTH = 52;
/** Upstream's `validTimeZoneCharacters`: one path segment of an IANA zone name. */
const TIME_ZONE_PART_RE = /^[A-Za-z.\-_0-9+]{1,14}$/;

/**
 * Fills upstream's CronJob defaults in place, including the job template's pod template (the Job's own
 * defaults are applied when the controller creates each Job).
 *
 * @example defaultCronJob(cj); // cj.spec.concurrencyPolicy === "Allow"
 */
export function defaultCronJob(obj: KubeObject): void {
  const spec = ensure<CronJobSpec>(obj, "spec");
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = "Allow";
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT;
  spec.failedJobsHistoryLimit ??= DEFAULT_FAILED_JOBS_HISTORY_LIMIT;
  const jobTemplate = ensure<JobTemplateSpec>(spec, "jobTemplate");
  const jobSpec = ensure<NonNullable<JobTemplateSpec["spec"]>>(jobTemplate, "spec");
  defaultPodTemplateSpec(ensure<PodTemplateSpec>(jobSpec, "template"));
}

/** Upstream `validateScheduleFormat`. */
function validateSchedule(schedule: string, allowTZInSchedule: boolean, timeZone: string | undefined, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (e) {
    if (!(e instanceof CronScheduleError)) throw e;
    causes.push(fieldError.invalid(path, schedule, e.message));
  }
  if (allowTZInSchedule && schedule.includes("TZ") && timeZone !== undefined) {
    causes.push(fieldError.invalid(path, schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
  } else if (!allowTZInSchedule && schedule.includes("TZ")) {
    causes.push(fieldError.invalid(path, schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
  }
  return causes;
}

/** Upstream `validateTimeZone`. */
function validateTimeZone(timeZone: string | undefined, path: string): StatusCause[] {
  if (timeZone === undefined || timeZone === null) return [];
  if (timeZone.length === 0) return [fieldError.invalid(path, timeZone, "timeZone must be nil or non-empty string")];
  for (const part of timeZone.split("/")) {
    if (part === "." || part === ".." || part.startsWith("-") || !TIME_ZONE_PART_RE.test(part)) {
      return [fieldError.invalid(path, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  const causes: StatusCause[] = [];
  if (timeZone.toLowerCase() === "local") {
    causes.push(fieldError.invalid(path, timeZone, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
  } else if (!isKnownTimeZone(timeZone)) {
    causes.push(fieldError.invalid(path, timeZone, `unknown time zone ${timeZone}`));
  }
  return causes;
}

/** Upstream `ValidateJobTemplateSpec`: the Job rules, and the selector is always generated. */
function validateJobTemplate(t: JobTemplateSpec | undefined, path: string): StatusCause[] {
  const spec: Partial<JobSpec> = t?.spec ?? {};
  const causes = validateJobSpecCommon(spec, `${path}.spec`);
  if (spec.selector) causes.push(fieldError.invalid(`${path}.spec.selector`, spec.selector, "`selector` will be auto-generated"));
  if (spec.manualSelector === true) causes.push(fieldError.notSupported(`${path}.spec.manualSelector`, true, ["nil", "false"]));
  return causes;
}

/**
 * Upstream `ValidateCronJobCreate` / `ValidateCronJobUpdate` (spec part, plus the 52-character name limit on create).
 *
 * @example validateCronJob(cj, undefined) // [] for a valid CronJob
 */
export function validateCronJob(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<CronJobSpec>(obj);
  const oldSpec = old ? specOf<CronJobSpec>(old) : undefined;
  const causes: StatusCause[] = [];
  if (!spec.schedule) causes.push(fieldError.required("spec.schedule"));
  else causes.push(...validateSchedule(spec.schedule, (oldSpec?.schedule ?? "").includes("TZ"), spec.timeZone, "spec.schedule"));
  causes.push(...nonNegative(spec.startingDeadlineSeconds, "spec.startingDeadlineSeconds"));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) causes.push(...validateTimeZone(spec.timeZone, "spec.timeZone"));
  switch (spec.concurrencyPolicy ?? "") {
    case "Allow":
    case "Forbid":
    case "Replace":
      break;
    case "":
      causes.push(fieldError.required("spec.concurrencyPolicy"));
      break;
    default:
      causes.push(fieldError.notSupported("spec.concurrencyPolicy", spec.concurrencyPolicy, ["Allow", "Forbid", "Replace"]));
  }
  causes.push(...validateJobTemplate(spec.jobTemplate, "spec.jobTemplate"));
  causes.push(...nonNegative(spec.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"));
  causes.push(...nonNegative(spec.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"));
  const name = obj.metadata.name ?? "";
  if (!old && name.length > MAX_CRONJOB_NAME_LENGTH) causes.push(fieldError.invalid("metadata.name", name, `must be no more than ${MAX_CRONJOB_NAME_LENGTH} characters`));
  return causes;
}

/** Upstream `printBoolPtr`. */
function boolPtrText(v: boolean | undefined): string {
  return v === undefined ? "<unset>" : v ? "True" : "False";
}

export const cronjobs: ResourceType = resourceType({
  group: "batch",
  version: "v1",
  kind: "CronJob",
  plural: "cronjobs",
  namespaced: true,
  shortNames: ["cj"],
  categories: ["all"],
  subresources: [STATUS_SUBRESOURCE],
  hasStatus: true,
  table: {
    columns: [
      NAME_COLUMN,
      column("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
      column("Timezone", "string", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
      column("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
      column("Active", "integer", "A list of pointers to currently running jobs."),
      column("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
      AGE_COLUMN,
      CONTAINERS_COLUMN,
      IMAGES_COLUMN,
      column("Selector", "string", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
    ],
    cells(obj, now) {
      const cj = obj as unknown as CronJob;
      const st: CronJobStatus = cj.status ?? {};
      const jobSpec = cj.spec?.jobTemplate?.spec;
      const [names, images] = containerCells(jobSpec?.template?.spec);
      return [
        cj.metadata?.name ?? "",
        cj.spec?.schedule ?? "",
        cj.spec?.timeZone ?? "<none>",
        boolPtrText(cj.spec?.suspend),
        (st.active ?? []).length,
        st.lastScheduleTime ? since(st.lastScheduleTime, now) : "<none>",
        age(obj, now),
        names,
        images,
        formatLabelSelector(jobSpec?.selector),
      ];
    },
  },
  defaults: defaultCronJob,
  validate: (obj, old, ctx) => (ctx.subresource === "status" ? [] : validateCronJob(obj, old)),
  prepareForCreate(obj) {
    obj.status = {};
  },
});
