/**
 * Registry entries of every non-core API group (apps, batch, networking, storage, RBAC, coordination,
 * discovery, autoscaling, policy, events, scheduling, node), one file per kind. Within a group the
 * preferred version comes first (autoscaling/v2 before v1). Entries with `sharedStorage` serve another
 * version's stored objects through a conversion.
 */
import type { ResourceType } from "../types.js";
import { clusterrolebindings } from "./clusterrolebindings.js";
import { clusterroles } from "./clusterroles.js";
import { controllerrevisions } from "./controllerrevisions.js";
import { cronjobs } from "./cronjobs.js";
import { csidrivers } from "./csidrivers.js";
import { csinodes } from "./csinodes.js";
import { daemonsets } from "./daemonsets.js";
import { deployments } from "./deployments.js";
import { endpointslices } from "./endpointslices.js";
import { eventsV1 } from "./events.js";
import { horizontalpodautoscalersV1, horizontalpodautoscalersV2 } from "./horizontalpodautoscalers.js";
import { ingressclasses } from "./ingressclasses.js";
import { ingresses } from "./ingresses.js";
import { jobs } from "./jobs.js";
import { leases } from "./leases.js";
import { networkpolicies } from "./networkpolicies.js";
import { poddisruptionbudgets } from "./poddisruptionbudgets.js";
import { priorityclasses } from "./priorityclasses.js";
import { replicasets } from "./replicasets.js";
import { rolebindings } from "./rolebindings.js";
import { roles } from "./roles.js";
import { runtimeclasses } from "./runtimeclasses.js";
import { statefulsets } from "./statefulsets.js";
import { storageclasses } from "./storageclasses.js";
import { volumeattachments } from "./volumeattachments.js";

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
  // autoscaling/v2 (preferred, storage) and autoscaling/v1
  horizontalpodautoscalersV2,
  horizontalpodautoscalersV1,
  // policy/v1
  poddisruptionbudgets,
  // networking.k8s.io/v1
  ingresses,
  ingressclasses,
  networkpolicies,
  // storage.k8s.io/v1
  storageclasses,
  volumeattachments,
  csidrivers,
  csinodes,
  // rbac.authorization.k8s.io/v1
  roles,
  clusterroles,
  rolebindings,
  clusterrolebindings,
  // coordination.k8s.io/v1
  leases,
  // discovery.k8s.io/v1
  endpointslices,
  // events.k8s.io/v1 (stored as core/v1 events)
  eventsV1,
  // scheduling.k8s.io/v1
  priorityclasses,
  // node.k8s.io/v1
  runtimeclasses,
];
