/**
 * Registry entries of every non-core API group (apps, batch, networking, storage, RBAC, coordination,
 * discovery, autoscaling, policy, events, scheduling, node), one file per kind.
 */
import type { ResourceType } from "../types.js";
import { controllerrevisions } from "./controllerrevisions.js";
import { cronjobs } from "./cronjobs.js";
import { daemonsets } from "./daemonsets.js";
import { deployments } from "./deployments.js";
import { jobs } from "./jobs.js";
import { replicasets } from "./replicasets.js";
import { statefulsets } from "./statefulsets.js";

export const groupResources: ResourceType[] = [
  // apps/v1
  deployments,
  replicasets,
  daemonsets,
  statefulsets,
  controllerrevisions,
  // batch/v1
  jobs,
  cronjobs,
];
