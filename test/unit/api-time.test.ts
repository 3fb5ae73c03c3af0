import assert from "node:assert/strict";
import { test } from "node:test";
import { rfc3339, rfc3339Micro } from "../../src/shared/api/time.js";

test("rfc3339 writes metav1.Time: UTC, whole seconds, same text as toISOString without the milliseconds", () => {
  assert.equal(rfc3339(new Date("2024-05-01T10:00:00.123Z")), "2024-05-01T10:00:00Z");
  assert.equal(rfc3339(Date.UTC(2026, 0, 2, 3, 4, 5, 999)), "2026-01-02T03:04:05Z");
  assert.equal(rfc3339(0), "1970-01-01T00:00:00Z");
  assert.equal(rfc3339(Date.UTC(999, 11, 31, 23, 59, 59)), "0999-12-31T23:59:59Z", "four-digit year");
  // Many instants across years, months, leap days and time-of-day roll-overs agree with toISOString.
  for (let t = Date.UTC(1999, 0, 1); t < Date.UTC(2031, 0, 1); t += 86_400_000 * 7.37 + 3_723_456) {
    assert.equal(rfc3339(t), new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"));
  }
  assert.match(rfc3339(), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, "now by default");
});

test("rfc3339 refuses an invalid date as toISOString does", () => {
  assert.throws(() => rfc3339(new Date("not a date")), RangeError);
  assert.throws(() => rfc3339(Number.NaN), RangeError);
});

test("rfc3339Micro writes metav1.MicroTime with exactly six fractional digits", () => {
  assert.equal(rfc3339Micro(1764241062123456), "2025-11-27T10:57:42.123456Z");
  assert.equal(rfc3339Micro(1764241062000001), "2025-11-27T10:57:42.000001Z");
  assert.equal(rfc3339Micro(1764241062999999.7), "2025-11-27T10:57:42.999999Z", "fractions of a microsecond are dropped");
  assert.equal(rfc3339Micro(0), "1970-01-01T00:00:00.000000Z");
});
