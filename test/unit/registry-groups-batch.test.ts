import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import { jobs } from "../../src/server/registry/groups/jobs.js";
import { cronjobs } from "../../src/server/registry/groups/cronjobs.js";
import { CronScheduleError, nextScheduleTime, parseCronSchedule } from "../../src/server/registry/groups/cron-schedule.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const UPDATE: HookContext = { operation: "update", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function job(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "pi", namespace: "default", uid: "6f1c0c1e-1111-2222-3333-444455556666", creationTimestamp: "2025-01-01T11:00:00Z", ...meta },
    spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "pi", image: "perl:5.34" }] } }, ...spec },
  };
}

/** Defaults, prepareForCreate, validate: the API layer's create order. */
function createJob(obj: KubeObject): StatusCause[] {
  jobs.defaults!(obj);
  jobs.prepareForCreate!(obj);
  return jobs.validate!(obj, undefined, CREATE);
}

test("job: defaults and generated selector", () => {
  const j = job();
  assert.deepEqual(createJob(j), []);
  const spec = j.spec as any;
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, "NonIndexed");
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, "TerminatingOrFailed");
  assert.deepEqual(spec.selector, { matchLabels: { "batch.kubernetes.io/controller-uid": j.metadata.uid } });
  assert.deepEqual(spec.template.metadata.labels, {
    "job-name": "pi",
    "batch.kubernetes.io/job-name": "pi",
    "controller-uid": j.metadata.uid,
    "batch.kubernetes.io/controller-uid": j.metadata.uid,
  });
  assert.equal(spec.template.spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(j.status, {});
});

test("job: parallel work queue keeps completions unset; template labels copied to the Job", () => {
  const j = job({ parallelism: 3, template: { metadata: { labels: { app: "batch" } }, spec: { restartPolicy: "OnFailure", containers: [{ name: "w", image: "busybox" }] } } });
  assert.deepEqual(createJob(j), []);
  assert.equal((j.spec as any).completions, undefined);
  assert.deepEqual(j.metadata.labels, { app: "batch" });
});

test("job: restart policy, counts and indexed mode", () => {
  const j = job({ backoffLimit: -1, completionMode: "Indexed", template: { spec: { restartPolicy: "Always", containers: [{ name: "w", image: "busybox" }] } } });
  (j.spec as any).parallelism = 2;
  const msgs = fields(createJob(j));
  assert.ok(msgs.includes('spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'), msgs.join("\n"));
  assert.ok(msgs.includes("spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0"), msgs.join("\n"));
  assert.ok(msgs.includes("spec.completions: Required value: when completion mode is Indexed"), msgs.join("\n"));
});

test("job: indexed pod names must stay DNS labels; elastic indexed completions follow parallelism", () => {
  const long = job({ completionMode: "Indexed", completions: 10, parallelism: 10 }, { name: "a".repeat(62) });
  assert.deepEqual(fields(createJob(long)), [`metadata.name: Invalid value: "${"a".repeat(62)}": will not able to create pod with invalid DNS label: ${"a".repeat(62)}-9`]);
  const idx = job({ completionMode: "Indexed", completions: 3, parallelism: 3 });
  assert.deepEqual(createJob(idx), []);
  const grown = structuredClone(idx);
  (grown.spec as any).completions = 5;
  (grown.spec as any).parallelism = 5;
  assert.deepEqual(jobs.validate!(grown, idx, UPDATE), []);
  const skewed = structuredClone(idx);
  (skewed.spec as any).completions = 5;
  assert.deepEqual(fields(jobs.validate!(skewed, idx, UPDATE)), ["spec.completions: Invalid value: 5: can only be modified in tandem with spec.parallelism"]);
  const pfp = job({ podFailurePolicy: { rules: [] }, template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "w", image: "busybox" }] } } });
  const pfpMsgs = fields(createJob(pfp));
  assert.ok(pfpMsgs.includes('spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified'), pfpMsgs.join("\n"));
  assert.equal((pfp.spec as any).podReplacementPolicy, "Failed");
});

test("job: a hand-written selector needs manualSelector", () => {
  const manual = job({ manualSelector: true, selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { restartPolicy: "Never", containers: [{ name: "w", image: "busybox" }] } } });
  assert.deepEqual(createJob(manual), []);
  assert.deepEqual((manual.spec as any).selector, { matchLabels: { app: "x" } });
  const sneaky = job({ selector: { matchLabels: { app: "x" } }, template: { metadata: { labels: { app: "x" } }, spec: { restartPolicy: "Never", containers: [{ name: "w", image: "busybox" }] } } });
  const msgs = fields(createJob(sneaky));
  assert.ok(msgs.some((m) => m.startsWith("spec.selector: Invalid value:") && m.endsWith("`selector` not auto-generated")), msgs.join("\n"));
});

test("job: selector and template are immutable, except scheduling directives while suspended", () => {
  const old = job();
  createJob(old);
  const next = structuredClone(old);
  (next.spec as any).template.spec.containers[0].image = "perl:5.36";
  assert.deepEqual(fields(jobs.validate!(next, old, UPDATE)), ["spec.template: field is immutable"]);

  const suspended = job({ suspend: true });
  createJob(suspended);
  const moved = structuredClone(suspended);
  (moved.spec as any).template.spec.nodeSelector = { zone: "a" };
  assert.deepEqual(jobs.validate!(moved, suspended, UPDATE), []);
  const parallel = structuredClone(old);
  (parallel.spec as any).parallelism = 5;
  assert.deepEqual(jobs.validate!(parallel, old, UPDATE), []);
  const more = structuredClone(old);
  (more.spec as any).completions = 4;
  assert.deepEqual(fields(jobs.validate!(more, old, UPDATE)), ["spec.completions: Invalid value: 4: field is immutable"]);
});

test("job: table Status/Completions/Duration and status.successful selector", () => {
  const j = job({ completions: 3 });
  createJob(j);
  j.status = { succeeded: 3, startTime: "2025-01-01T11:00:00Z", completionTime: "2025-01-01T11:01:30Z", conditions: [{ type: "Complete", status: "True" }] };
  const t = jobs.table!;
  assert.deepEqual(t.columns.map((c) => `${c.name}/${c.priority}`), ["Name/0", "Status/0", "Completions/0", "Duration/0", "Age/0", "Containers/1", "Images/1", "Selector/1"]);
  assert.deepEqual(t.cells(j, NOW), ["pi", "Complete", "3/3", "90s", "60m", "pi", "perl:5.34", `batch.kubernetes.io/controller-uid=${j.metadata.uid}`]);
  const running = job({ parallelism: 4 });
  running.status = { startTime: "2025-01-01T11:58:00Z", succeeded: 1 };
  delete (running.spec as any).completions;
  (running.spec as any).parallelism = 4;
  const cells = t.cells(running, NOW);
  assert.deepEqual(cells.slice(1, 4), ["Running", "1/1 of 4", "2m"]);
  const notStarted = job({ suspend: true, completions: 1 });
  notStarted.status = { conditions: [{ type: "Suspended", status: "True" }] };
  assert.deepEqual(t.cells(notStarted, NOW).slice(1, 4), ["Suspended", "0/1", ""]);
  assert.equal(jobs.fieldSelectors!["status.successful"]!(j), "3");
  assert.deepEqual(jobs.categories, ["all"]);
});

test("cron schedule parser: robfig/cron standard syntax and messages", () => {
  const s = parseCronSchedule("*/15 9-17 * JAN-MAR mon-fri");
  assert.deepEqual([...s.minutes], [0, 15, 30, 45]);
  assert.deepEqual([...s.hours], [9, 10, 11, 12, 13, 14, 15, 16, 17]);
  assert.deepEqual([...s.months], [1, 2, 3]);
  assert.deepEqual([...s.daysOfWeek], [1, 2, 3, 4, 5]);
  assert.equal(s.domStar, true);
  assert.deepEqual([...parseCronSchedule("@hourly").minutes], [0]);
  assert.equal(parseCronSchedule("@every 1h30m").everyMs, 5_400_000);
  const cases: Array<[string, string]> = [
    ["* * * *", "expected exactly 5 fields, found 4: [* * * *]"],
    ["60 * * * *", "end of range (60) above maximum (59): 60"],
    ["* * 0 * *", "beginning of range (0) below minimum (1): 0"],
    ["5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1"],
    ["*/0 * * * *", "step of range should be a positive number: */0"],
    ["x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ["1-2-3 * * * *", "too many hyphens: 1-2-3"],
    ["@fortnightly", "unrecognized descriptor: @fortnightly"],
    ["@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"'],
  ];
  for (const [spec, message] of cases) {
    assert.throws(() => parseCronSchedule(spec), (e: unknown) => e instanceof CronScheduleError && e.message === message, spec);
  }
});

function cronjob(spec: Record<string, unknown>, name = "backup"): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "default", creationTimestamp: "2025-01-01T10:00:00Z" },
    spec: { schedule: "0 3 * * *", jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "b", image: "busybox" }] } } } }, ...spec },
  };
}

test("cronjob: defaults", () => {
  const cj = cronjob({});
  cronjobs.defaults!(cj);
  cronjobs.prepareForCreate!(cj);
  assert.deepEqual(cronjobs.validate!(cj, undefined, CREATE), []);
  const spec = cj.spec as any;
  assert.equal(spec.concurrencyPolicy, "Allow");
  assert.equal(spec.suspend, false);
  assert.equal(spec.successfulJobsHistoryLimit, 3);
  assert.equal(spec.failedJobsHistoryLimit, 1);
  assert.equal(spec.jobTemplate.spec.template.spec.dnsPolicy, "ClusterFirst");
  assert.equal(spec.jobTemplate.spec.backoffLimit, undefined, "Job defaults are applied per Job, not to the template");
});

test("cronjob: schedule, time zone, policy, template and name length", () => {
  const bad = cronjob({ schedule: "61 * * * *", timeZone: "Mars/Olympus", concurrencyPolicy: "Sometimes" }, "x".repeat(53));
  cronjobs.defaults!(bad);
  const msgs = fields(cronjobs.validate!(bad, undefined, CREATE));
  assert.deepEqual(msgs, [
    'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61',
    'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
    `metadata.name: Invalid value: "${"x".repeat(53)}": must be no more than 52 characters`,
  ]);
  const tz = cronjob({ schedule: "CRON_TZ=UTC 0 3 * * *" });
  cronjobs.defaults!(tz);
  assert.deepEqual(fields(cronjobs.validate!(tz, undefined, CREATE)), [
    'spec.schedule: Invalid value: "CRON_TZ=UTC 0 3 * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
  ]);
  const ok = cronjob({ schedule: "@daily", timeZone: "Europe/Berlin" });
  cronjobs.defaults!(ok);
  assert.deepEqual(cronjobs.validate!(ok, undefined, CREATE), []);
  const sel = cronjob({});
  (sel.spec as any).jobTemplate.spec.selector = { matchLabels: { a: "b" } };
  (sel.spec as any).jobTemplate.spec.template.spec.restartPolicy = "Always";
  cronjobs.defaults!(sel);
  assert.deepEqual(fields(cronjobs.validate!(sel, undefined, CREATE)), [
    'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
  ]);
});

test("cronjob: table with Timezone column", () => {
  const cj = cronjob({ timeZone: "Etc/UTC" });
  cronjobs.defaults!(cj);
  cj.status = { active: [{ name: "backup-1" }], lastScheduleTime: "2025-01-01T11:59:00Z" };
  const t = cronjobs.table!;
  assert.deepEqual(t.columns.map((c) => c.name), ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"]);
  assert.deepEqual(t.cells(cj, NOW), ["backup", "0 3 * * *", "Etc/UTC", "False", 1, "60s", "120m", "b", "busybox", "<none>"]);
  const fresh = cronjob({});
  assert.deepEqual(t.cells(fresh, NOW).slice(2, 6), ["<none>", "<unset>", 0, "<none>"]);
  assert.deepEqual(cronjobs.shortNames, ["cj"]);
});

test("job: managedBy must be a domain-prefixed path", () => {
  const ok = job({ managedBy: "kueue.x-k8s.io/multikueue" });
  assert.deepEqual(createJob(ok), []);
  const bad = job({ managedBy: "kueue" });
  assert.deepEqual(fields(createJob(bad)), ['spec.managedBy: Invalid value: "kueue": must be a domain-prefixed path (such as "acme.io/foo")']);
});

test("cron schedule: next activation as robfig/cron computes it, time zones and DST included", () => {
  const next = (spec: string, after: string, zone?: string) => nextScheduleTime(parseCronSchedule(spec), new Date(after), zone)?.toISOString();
  assert.equal(next("*/15 * * * *", "2025-01-01T10:07:30Z"), "2025-01-01T10:15:00.000Z");
  assert.equal(next("0 3 * * *", "2025-01-01T03:00:00Z"), "2025-01-02T03:00:00.000Z");
  assert.equal(next("0 0 29 2 *", "2025-03-01T00:00:00Z"), "2028-02-29T00:00:00.000Z");
  assert.equal(next("0 0 30 2 *", "2025-01-01T00:00:00Z"), undefined);
  // Day-of-month OR day-of-week when neither is a star: the 13th, or any Friday.
  assert.equal(next("0 0 13 * 5", "2025-06-01T00:00:00Z"), "2025-06-06T00:00:00.000Z");
  assert.equal(next("@hourly", "2025-01-01T10:00:00Z"), "2025-01-01T11:00:00.000Z");
  assert.equal(next("@every 1h30m", "2025-01-01T10:00:00.250Z"), "2025-01-01T11:30:00.000Z");
  // Weekdays at 09:00 New York time: Friday 10:00 EST → Monday 09:00 EST.
  assert.equal(next("0 9 * * 1-5", "2025-01-03T15:00:00Z", "America/New_York"), "2025-01-06T14:00:00.000Z");
  // 02:30 does not exist in Berlin on 2025-03-30 (clocks jump 02:00 → 03:00): robfig skips that day.
  assert.equal(next("30 2 * * *", "2025-03-29T12:00:00Z", "Europe/Berlin"), "2025-03-31T00:30:00.000Z");
  // Back in winter time the same schedule is 01:30 UTC.
  assert.equal(next("30 2 * * *", "2025-11-01T12:00:00Z", "Europe/Berlin"), "2025-11-02T01:30:00.000Z");
});

test("job: pod failure policy and success policy rules", () => {
  const pfp = job({
    podFailurePolicy: {
      rules: [
        { action: "FailJob", onExitCodes: { containerName: "pi", operator: "In", values: [42, 0, 1, 1] } },
        { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget" }] },
        { action: "FailIndex", onExitCodes: { operator: "NotIn", values: [0] }, onPodConditions: [{ type: "X", status: "True" }] },
        { action: "Retry" },
      ],
    },
  });
  assert.deepEqual(fields(createJob(pfp)), [
    "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Invalid value: 0: must not be 0 for the In operator",
    "spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 1",
    "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: [42,0,1,1]: must be ordered",
    'spec.podFailurePolicy.rules[1].onPodConditions[0].status: Required value: valid values: ["False" "True" "Unknown"]',
    'spec.podFailurePolicy.rules[2].action: Invalid value: "FailIndex": requires the backoffLimitPerIndex to be set',
    "spec.podFailurePolicy.rules[2]: Invalid value: specifying both OnExitCodes and OnPodConditions is not supported",
    'spec.podFailurePolicy.rules[3].action: Unsupported value: "Retry": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
    "spec.podFailurePolicy.rules[3]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required",
  ]);
  const success = job({ completionMode: "Indexed", completions: 5, parallelism: 5, successPolicy: { rules: [{ succeededIndexes: "0,2-4", succeededCount: 3 }, { succeededIndexes: "3,1" }, {}] } });
  assert.deepEqual(fields(createJob(success)), [
    'spec.successPolicy.rules[1].succeededIndexes: Invalid value: "3,1": error parsing succeededIndexes: non-increasing order, previous: 3, current: 1',
    "spec.successPolicy.rules[2]: Required value: at least one of succeededCount or succeededIndexes must be specified",
  ]);
  const nonIndexed = job({ successPolicy: { rules: [{ succeededCount: 1 }] }, backoffLimitPerIndex: 1 });
  assert.deepEqual(fields(createJob(nonIndexed)), [
    "spec.backoffLimitPerIndex: Invalid value: 1: requires indexed completion mode",
    'spec.successPolicy: Invalid value: {"rules":[{"succeededCount":1}]}: requires indexed completion mode',
  ]);
});
