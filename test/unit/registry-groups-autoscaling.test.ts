import { test } from "node:test";
import assert from "node:assert/strict";
import type { KubeObject } from "../../src/shared/api/types.js";
import type { StatusCause } from "../../src/shared/api/status.js";
import type { HookContext } from "../../src/server/registry/types.js";
import {
  HPA_CONDITIONS_ANNOTATION,
  HPA_CURRENT_METRICS_ANNOTATION,
  HPA_METRICS_ANNOTATION,
  horizontalpodautoscalersV1,
  horizontalpodautoscalersV2,
  hpaV1ToV2,
  hpaV2ToV1,
} from "../../src/server/registry/groups/horizontalpodautoscalers.js";

const CREATE: HookContext = { operation: "create", subresource: "", dryRun: false };
const NOW = Date.parse("2025-01-01T12:00:00Z");

function fields(causes: StatusCause[]): string[] {
  return causes.map((c) => `${c.field}: ${c.message}`);
}

function hpaV2(spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default", creationTimestamp: "2025-01-01T11:00:00Z" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 10, ...spec },
  };
}

test("hpa v2: defaults minReplicas, CPU 80% target, and fills behavior rules", () => {
  const h = hpaV2({});
  horizontalpodautoscalersV2.defaults!(h);
  const spec = h.spec as any;
  assert.equal(spec.minReplicas, 1);
  assert.deepEqual(spec.metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  assert.equal(spec.behavior, undefined);
  assert.deepEqual(horizontalpodautoscalersV2.validate!(h, undefined, CREATE), []);

  const withBehavior = hpaV2({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
  horizontalpodautoscalersV2.defaults!(withBehavior);
  assert.deepEqual((withBehavior.spec as any).behavior, {
    scaleUp: {
      stabilizationWindowSeconds: 0,
      selectPolicy: "Max",
      policies: [
        { type: "Pods", value: 4, periodSeconds: 15 },
        { type: "Percent", value: 100, periodSeconds: 15 },
      ],
    },
    scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
  });
});

test("hpa v2: validation messages", () => {
  const bad = hpaV2({
    minReplicas: 5,
    maxReplicas: 2,
    metrics: [
      { type: "Resource", resource: { name: "memory", target: { type: "Utilization" } } },
      { type: "Pods", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
      { type: "Magic" },
    ],
    behavior: { scaleUp: { stabilizationWindowSeconds: 4000, policies: [{ type: "Pods", value: 0, periodSeconds: 2000 }] } },
  });
  const msgs = fields(horizontalpodautoscalersV2.validate!(bad, undefined, CREATE));
  assert.deepEqual(msgs, [
    "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`",
    "spec.metrics[0].resource.target.averageUtilization: Required value: must set either a target raw value or a target utilization",
    "spec.metrics[1].pods: Required value: must populate information for the given metric source",
    // Upstream reports an unknown type twice (set check, then its switch default).
    'spec.metrics[2].type: Unsupported value: "Magic": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    'spec.metrics[2].type: Unsupported value: "Magic": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
    "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
    "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800",
  ]);
  const zero = hpaV2({ minReplicas: 0, behavior: { scaleDown: { selectPolicy: "Random", policies: [{ type: "Nodes", value: 1, periodSeconds: 60 }] } } });
  assert.deepEqual(fields(horizontalpodautoscalersV2.validate!(zero, undefined, CREATE)), [
    "spec.minReplicas: Invalid value: 0: must be greater than or equal to 1",
    "spec.metrics: Forbidden: must specify at least one Object or External metric to support scaling to zero replicas",
    'spec.behavior.scaleDown.selectPolicy: Unsupported value: "Random": supported values: "Disabled", "Max", "Min"',
    'spec.behavior.scaleDown.policies[0].type: Unsupported value: "Nodes": supported values: "Percent", "Pods"',
  ]);
  const external = hpaV2({ metrics: [{ type: "External", external: { metric: { name: "queue/depth" }, target: { type: "Value", value: "-1", averageValue: "2" } } }] });
  assert.deepEqual(fields(horizontalpodautoscalersV2.validate!(external, undefined, CREATE)), [
    `spec.metrics[0].external.metric.name: Invalid value: "queue/depth": may not contain '/'`,
    'spec.metrics[0].external.target.value: Invalid value: "-1": must be positive',
    "spec.metrics[0].external.target.value: Forbidden: may not set both a target value for metric and a per-pod target",
  ]);
  const noRef = hpaV2({ scaleTargetRef: { kind: "", name: "" } });
  assert.deepEqual(fields(horizontalpodautoscalersV2.validate!(noRef, undefined, CREATE)), ["spec.scaleTargetRef.kind: Required value", "spec.scaleTargetRef.name: Required value"]);
});

test("hpa: table Targets/MinPods/MaxPods/Replicas", () => {
  const h = hpaV2({
    minReplicas: 2,
    metrics: [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } },
      { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } },
      { type: "Pods", pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "10" } } },
    ],
  });
  h.status = {
    currentReplicas: 3,
    desiredReplicas: 3,
    currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 35 } } }],
  };
  const t = horizontalpodautoscalersV2.table!;
  assert.deepEqual(t.columns.map((c) => c.name), ["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
  assert.deepEqual(t.cells(h, NOW), ["web", "Deployment/web", "cpu: 35%/80%, memory: <unknown>/500Mi + 1 more...", "2", 10, 3, "60m"]);
});

test("hpa v1 <-> v2 conversion keeps v2-only data in annotations", () => {
  const v2 = hpaV2({
    minReplicas: 1,
    metrics: [
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 60 } } },
      { type: "External", external: { metric: { name: "queue" }, target: { type: "Value", value: "30" } } },
    ],
  });
  v2.status = { currentReplicas: 2, desiredReplicas: 3, currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 70 } } }], conditions: [{ type: "AbleToScale", status: "True" }] };
  const v1 = hpaV2ToV1(v2);
  assert.equal(v1.apiVersion, "autoscaling/v1");
  assert.equal((v1.spec as any).targetCPUUtilizationPercentage, 60);
  assert.equal((v1.status as any).currentCPUUtilizationPercentage, 70);
  // Upstream's v1 annotation format (the old v2beta1 field names).
  assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_METRICS_ANNOTATION]!), [{ type: "External", external: { metricName: "queue", targetValue: "30" } }]);
  assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_CURRENT_METRICS_ANNOTATION]!), [{ type: "Resource", resource: { name: "cpu", currentAverageUtilization: 70, currentAverageValue: "0" } }]);
  assert.deepEqual(JSON.parse(v1.metadata.annotations![HPA_CONDITIONS_ANNOTATION]!), [{ type: "AbleToScale", status: "True" }]);
  const back = hpaV1ToV2(v1);
  // Annotation metrics come first, then the CPU target, as upstream orders them.
  assert.deepEqual((back.spec as any).metrics, [(v2.spec as any).metrics[1], (v2.spec as any).metrics[0]]);
  assert.deepEqual((back.status as any).conditions, (v2.status as any).conditions);
  assert.deepEqual((back.status as any).currentMetrics, [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 70, averageValue: "0" } } }]);
  assert.equal(back.metadata.annotations, undefined);
  assert.equal((v2.spec as any).metrics.length, 2, "input not modified");
});

test("hpa v1 entry: defaults, validation on the v2 form, shared v2 storage, same table", () => {
  const v1: KubeObject = {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default", creationTimestamp: "2025-01-01T11:00:00Z" },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" }, maxReplicas: 4, targetCPUUtilizationPercentage: 0 },
  };
  horizontalpodautoscalersV1.defaults!(v1);
  assert.equal((v1.spec as any).minReplicas, 1);
  assert.deepEqual(fields(horizontalpodautoscalersV1.validate!(v1, undefined, CREATE)), ["spec.metrics[0].resource.target.averageUtilization: Invalid value: 0: must be greater than 0"]);
  (v1.spec as any).targetCPUUtilizationPercentage = 50;
  assert.deepEqual(horizontalpodautoscalersV1.validate!(v1, undefined, CREATE), []);
  assert.deepEqual(horizontalpodautoscalersV1.table!.cells(v1, NOW), ["web", "Deployment/web", "cpu: <unknown>/50%", "1", 4, 0, "60m"]);
  const shared = horizontalpodautoscalersV1.sharedStorage!;
  assert.deepEqual([shared.group, shared.version, shared.plural], ["autoscaling", "v2", "horizontalpodautoscalers"]);
  assert.equal(shared.toStorage(v1).apiVersion, "autoscaling/v2");
  assert.deepEqual([horizontalpodautoscalersV1.shortNames, horizontalpodautoscalersV1.categories], [["hpa"], ["all"]]);
  assert.deepEqual([horizontalpodautoscalersV2.shortNames, horizontalpodautoscalersV2.categories], [["hpa"], ["all"]]);
  assert.equal(horizontalpodautoscalersV2.sharedStorage, undefined);
});

test("hpa v2: two metric sources in one entry are forbidden", () => {
  const h = hpaV2({ metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } }, pods: { metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "1" } } }] });
  assert.deepEqual(fields(horizontalpodautoscalersV2.validate!(h, undefined, CREATE)), ["spec.metrics[0].pods: Forbidden: must populate the given metric source only"]);
});

test("hpa v1 without a CPU target reads back with v1's implicit CPU 80% target", () => {
  const v1: KubeObject = {
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    metadata: { name: "web", namespace: "default" },
    spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, maxReplicas: 3 },
  };
  assert.deepEqual((hpaV1ToV2(v1).spec as any).metrics, [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
  const v2 = hpaV2({ metrics: [{ type: "Object", object: { describedObject: { kind: "Ingress", name: "web", apiVersion: "networking.k8s.io/v1" }, metric: { name: "rps" }, target: { type: "AverageValue", averageValue: "100" } } }] });
  const round = hpaV1ToV2(hpaV2ToV1(v2));
  assert.deepEqual((round.spec as any).metrics, (v2.spec as any).metrics);
  assert.equal((hpaV2ToV1(v2).spec as any).targetCPUUtilizationPercentage, undefined);
});
