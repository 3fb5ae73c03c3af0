import { test } from "node:test";
import assert from "node:assert/strict";
import { parseLogPath, pickInstance } from "../../src/agent/kubelet/streaming/container-logs.js";
import { logContainer } from "../../src/server/apiserver/pod-log.js";
import type { ContainerInfo } from "../../src/agent/kubelet/runtime/types.js";

test("log paths carry PodLogOptions as query parameters", () => {
  const r = parseLogPath("/containerLogs/default/web/nginx?follow=true&tailLines=10&timestamps=true&limitBytes=500&previous=true");
  assert.deepEqual([r.namespace, r.pod, r.container, r.previous], ["default", "web", "nginx", true]);
  assert.deepEqual({ ...r.options, since: undefined }, { follow: true, tailLines: 10, timestamps: true, limitBytes: 500, since: undefined });
  const since = parseLogPath("/containerLogs/a/b/c?sinceTime=2026-11-27T10:00:00Z").options.since;
  assert.equal(since?.toISOString(), "2026-11-27T10:00:00.000Z");
  assert.throws(() => parseLogPath("/containerLogs/a/b/c?tailLines=-1"), RangeError);
  assert.throws(() => parseLogPath("/exec/a/b/c"), RangeError);
});

test("the current instance is the highest restart count; previous is the one before", () => {
  const c = (restartCount: number, id: string) => ({ restartCount, id }) as ContainerInfo;
  const all = [c(0, "a"), c(2, "c"), c(1, "b")];
  assert.equal(pickInstance(all, false)?.id, "c");
  assert.equal(pickInstance(all, true)?.id, "b");
  assert.equal(pickInstance([c(0, "a")], true), undefined);
});

test("the container is the named one or the only one, else upstream's error", () => {
  const pod = { metadata: { name: "p" }, spec: { containers: [{ name: "a" }, { name: "b" }], initContainers: [{ name: "init" }] } };
  assert.equal(logContainer(pod as never, "init"), "init");
  assert.throws(() => logContainer(pod as never, null), /a container name must be specified for pod p, choose one of: \[a b\]/);
  assert.throws(() => logContainer(pod as never, "x"), /container x is not valid for pod p/);
  assert.equal(logContainer({ metadata: { name: "q" }, spec: { containers: [{ name: "only" }] } } as never, null), "only");
});
