/**
 * CronJob schedule syntax as upstream accepts it: robfig/cron v3's standard parser (5 fields
 * minute hour day-of-month month day-of-week, names JAN-DEC / SUN-SAT, `*`, `?`, ranges, steps, lists,
 * and the `@yearly … @hourly`, `@every <duration>` descriptors), with its error messages, which the
 * apiserver returns verbatim in `spec.schedule: Invalid value`.
 */

/** Bounds and names of one schedule field. */
interface FieldBounds {
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MINUTES: FieldBounds = { min: 0, max: 59 };
const HOURS: FieldBounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: FieldBounds = { min: 1, max: 31 };
const MONTHS: FieldBounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DAYS_OF_WEEK: FieldBounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** The standard parser takes exactly these five fields. */
const STANDARD_FIELD_COUNT = 5;

/** A parsed schedule: the allowed values of each field; `*Star` tells `*`/`?` apart for the day rule. */
export interface CronSchedule {
  /** Set for `@every <duration>` schedules, in milliseconds. */
  everyMs?: number;
  /** IANA zone from a `TZ=`/`CRON_TZ=` prefix (the CronJob API rejects it; kept for completeness). */
  timeZone?: string;
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** True when day-of-month was `*` or `?` (robfig: then only day-of-week restricts, and vice versa). */
  domStar: boolean;
  dowStar: boolean;
}

/** Thrown for an unparsable schedule; `message` is robfig/cron's wording. */
export class CronScheduleError extends Error {}

/** Go `strconv.Atoi` + robfig's `mustParseInt` checks. */
function mustParseInt(expr: string): number {
  if (!/^[+-]?\d+$/.test(expr)) throw new CronScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number.parseInt(expr, 10);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63) throw new CronScheduleError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (n < 0) throw new CronScheduleError(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, names: FieldBounds["names"]): number {
  const named = names?.[expr.toLowerCase()];
  return named !== undefined ? named : mustParseInt(expr);
}

/** robfig `getRange`: one `a`, `a-b`, `*`, with optional `/step`; adds the values to `into`. Returns true for a bare star. */
function addRange(expr: string, bounds: FieldBounds, into: Set<number>): boolean {
  const rangeAndStep = expr.split("/");
  const lowAndHigh = rangeAndStep[0]!.split("-");
  const singleDigit = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === "*" || lowAndHigh[0] === "?") {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1]!, bounds.names);
    else throw new CronScheduleError(`too many hyphens: ${expr}`);
  }
  let step: number;
  if (rangeAndStep.length === 1) {
    step = 1;
  } else if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]!);
    if (singleDigit) end = bounds.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else {
    throw new CronScheduleError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronScheduleError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronScheduleError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronScheduleError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronScheduleError(`step of range should be a positive number: ${expr}`);
  for (let v = start; v <= end; v += step) into.add(v);
  return star;
}

function parseField(field: string, bounds: FieldBounds): { values: Set<number>; star: boolean } {
  const values = new Set<number>();
  let star = false;
  for (const part of field.split(",")) star = addRange(part, bounds, values) || star;
  return { values, star };
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ns: 1e-6, us: 1e-3, "\u00b5s": 1e-3, "\u03bcs": 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go `time.ParseDuration` (for `@every`), with its error wording. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  if (text === "0") return 0;
  let s = text;
  let sign = 1;
  if (s.startsWith("-") || s.startsWith("+")) {
    if (s[0] === "-") sign = -1;
    s = s.slice(1);
  }
  if (s === "") throw new CronScheduleError(`time: invalid duration ${quoted}`);
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)?/;
  while (s.length) {
    const m = re.exec(s);
    if (!m) throw new CronScheduleError(`time: invalid duration ${quoted}`);
    if (!m[2]) throw new CronScheduleError(`time: missing unit in duration ${quoted}`);
    total += Number.parseFloat(m[1]!) * DURATION_UNITS_MS[m[2]]!;
    s = s.slice(m[0].length);
    if (s.length && /^[a-z\u00b5\u03bc]/i.test(s)) throw new CronScheduleError(`time: unknown unit ${JSON.stringify(/^[^\d.]+/.exec(s)![0])} in duration ${quoted}`);
  }
  return sign * total;
}

function fullSchedule(fields: [string, string, string, string, string]): CronSchedule {
  const [mi, h, dom, mon, dow] = fields;
  const minutes = parseField(mi, MINUTES);
  const hours = parseField(h, HOURS);
  const daysOfMonth = parseField(dom, DAYS_OF_MONTH);
  const months = parseField(mon, MONTHS);
  const daysOfWeek = parseField(dow, DAYS_OF_WEEK);
  return {
    minutes: minutes.values,
    hours: hours.values,
    daysOfMonth: daysOfMonth.values,
    months: months.values,
    daysOfWeek: daysOfWeek.values,
    domStar: daysOfMonth.star,
    dowStar: daysOfWeek.star,
  };
}

const DESCRIPTORS: Readonly<Record<string, [string, string, string, string, string]>> = {
  "@yearly": ["0", "0", "1", "1", "*"],
  "@annually": ["0", "0", "1", "1", "*"],
  "@monthly": ["0", "0", "1", "*", "*"],
  "@weekly": ["0", "0", "*", "*", "0"],
  "@daily": ["0", "0", "*", "*", "*"],
  "@midnight": ["0", "0", "*", "*", "*"],
  "@hourly": ["0", "*", "*", "*", "*"],
};

/**
 * Parses a CronJob schedule like robfig/cron's `ParseStandard`; throws `CronScheduleError` with its message.
 *
 * @example parseCronSchedule("*\/15 9-17 * * MON-FRI").minutes // Set {0, 15, 30, 45}
 */
export function parseCronSchedule(spec: string): CronSchedule {
  if (spec.length === 0) throw new CronScheduleError("empty spec string");
  let rest = spec;
  let timeZone: string | undefined;
  if (rest.startsWith("TZ=") || rest.startsWith("CRON_TZ=")) {
    const space = rest.indexOf(" ");
    const eq = rest.indexOf("=");
    const zone = space < 0 ? rest.slice(eq + 1) : rest.slice(eq + 1, space);
    if (space < 0 || !isKnownTimeZone(zone)) throw new CronScheduleError(`provided bad location ${zone}: unknown time zone ${zone}`);
    rest = rest.slice(space).trim();
    timeZone = zone;
  }
  const parsed = parseFields(rest);
  if (timeZone) parsed.timeZone = timeZone;
  return parsed;
}

function parseFields(rest: string): CronSchedule {
  if (rest.startsWith("@")) {
    const fields = DESCRIPTORS[rest];
    if (fields) return fullSchedule(fields);
    const every = "@every ";
    if (rest.startsWith(every)) {
      const text = rest.slice(every.length);
      let ms: number;
      try {
        ms = parseGoDuration(text);
      } catch (e) {
        throw new CronScheduleError(`failed to parse duration ${rest}: ${(e as Error).message}`);
      }
      return { ...fullSchedule(["*", "*", "*", "*", "*"]), everyMs: ms };
    }
    throw new CronScheduleError(`unrecognized descriptor: ${rest}`);
  }
  const fields = rest.split(/\s+/).filter((f) => f.length > 0);
  if (fields.length !== STANDARD_FIELD_COUNT) {
    throw new CronScheduleError(`expected exactly ${STANDARD_FIELD_COUNT} fields, found ${fields.length}: [${fields.join(" ")}]`);
  }
  return fullSchedule(fields as [string, string, string, string, string]);
}

/**
 * True when the IANA zone exists in this Node's time-zone database (Go's `time.LoadLocation`).
 *
 * @example isKnownTimeZone("Europe/Berlin") === true
 */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Wall-clock fields of an instant in a zone. `month` is 1–12, `weekday` 0 (Sunday)–6. */
interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

/** Years searched before giving up on a schedule that never fires (robfig's limit: 5). */
const NEXT_SEARCH_YEARS = 5;
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall time of `ms` in `zone` (Go's `t.In(loc)` fields). */
function wallTime(ms: number, zone: string): WallTime {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric" });
    formatters.set(zone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const { year, month, day, hour, minute, second } = parts as Record<string, number>;
  return { year: year!, month: month!, day: day!, hour: hour!, minute: minute!, second: second!, weekday: new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay() };
}

/** UTC offset of `zone` at instant `ms`, in milliseconds. */
function offsetAt(ms: number, zone: string): number {
  const w = wallTime(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / SECOND_MS) * SECOND_MS;
}

/**
 * Go's `time.Date(y, m, d, h, mi, s, 0, loc)`: fields may overflow (month 13, day 32) and are
 * normalised; a wall time inside a DST gap lands after the jump (02:30 → 03:30), as Go's does.
 */
function dateIn(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const asUTC = Date.UTC(year, month - 1, day, hour, minute, second);
  const guess = offsetAt(asUTC, zone);
  const actual = offsetAt(asUTC - guess, zone);
  return asUTC - actual;
}

function dayMatches(s: CronSchedule, w: WallTime): boolean {
  const dom = s.daysOfMonth.has(w.day);
  const dow = s.daysOfWeek.has(w.weekday);
  // robfig: when either day field is a bare star both must match, else either may.
  return s.domStar || s.dowStar ? dom && dow : dom || dow;
}

/**
 * The first activation strictly after `after`, as robfig/cron's `SpecSchedule.Next` computes it in the
 * schedule's time zone (the CronJob's `spec.timeZone`, else the `TZ=` prefix, else `defaultZone`);
 * `undefined` when the schedule never fires within five years (e.g. "0 0 30 2 *").
 *
 * @example nextScheduleTime(parseCronSchedule("0 3 * * *"), new Date("2025-01-01T03:00:00Z"), "UTC") // 2025-01-02T03:00:00Z
 */
export function nextScheduleTime(s: CronSchedule, after: Date, timeZone?: string, defaultZone = "UTC"): Date | undefined {
  const zone = timeZone ?? s.timeZone ?? defaultZone;
  // Start at the next whole second, as robfig does.
  let t = Math.floor(after.getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
  if (s.everyMs !== undefined) {
    const delay = Math.max(SECOND_MS, Math.floor(s.everyMs / SECOND_MS) * SECOND_MS);
    return new Date(t - SECOND_MS + delay);
  }
  let added = false;
  const yearLimit = wallTime(t, zone).year + NEXT_SEARCH_YEARS;
  wrap: for (;;) {
    let w = wallTime(t, zone);
    if (w.year > yearLimit) return undefined;
    while (!s.months.has(w.month)) {
      if (!added) {
        added = true;
        t = dateIn(zone, w.year, w.month, 1, 0, 0, 0);
        w = wallTime(t, zone);
      }
      t = dateIn(zone, w.year, w.month + 1, w.day, w.hour, w.minute, w.second);
      w = wallTime(t, zone);
      if (w.month === 1) continue wrap;
    }
    while (!dayMatches(s, w)) {
      if (!added) {
        added = true;
        t = dateIn(zone, w.year, w.month, w.day, 0, 0, 0);
        w = wallTime(t, zone);
      }
      t = dateIn(zone, w.year, w.month, w.day + 1, w.hour, w.minute, w.second);
      w = wallTime(t, zone);
      // A DST change can leave the day starting off midnight; move back to 00:00.
      if (w.hour !== 0) {
        t += w.hour > 12 ? (24 - w.hour) * HOUR_MS : -w.hour * HOUR_MS;
        w = wallTime(t, zone);
      }
      if (w.day === 1) continue wrap;
    }
    while (!s.hours.has(w.hour)) {
      if (!added) {
        added = true;
        t = dateIn(zone, w.year, w.month, w.day, w.hour, 0, 0);
      }
      t += HOUR_MS;
      w = wallTime(t, zone);
      if (w.hour === 0) continue wrap;
    }
    while (!s.minutes.has(w.minute)) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      }
      t += MINUTE_MS;
      w = wallTime(t, zone);
      if (w.minute === 0) continue wrap;
    }
    // The standard parser fires at second 0 only.
    while (w.second !== 0) {
      if (!added) {
        added = true;
        t = Math.floor(t / SECOND_MS) * SECOND_MS;
      }
      t += SECOND_MS;
      w = wallTime(t, zone);
      if (w.second === 0) continue wrap;
    }
    return new Date(t);
  }
}
