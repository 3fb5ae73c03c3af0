/**
 * The core/v1 kinds (`/api/v1`), one `ResourceType` each, in the order discovery lists them.
 */
import type { ResourceType } from "../types.js";
import { bindings } from "./bindings.js";
import { configMaps } from "./configmaps.js";
import { endpoints } from "./endpoints.js";
import { events } from "./events.js";
import { limitRanges } from "./limitranges.js";
import { namespaces } from "./namespaces.js";
import { nodes } from "./nodes.js";
import { persistentVolumeClaims } from "./persistentvolumeclaims.js";
import { persistentVolumes } from "./persistentvolumes.js";
import { podTemplates } from "./podtemplates.js";
import { pods } from "./pods.js";
import { replicationControllers } from "./replicationcontrollers.js";
import { resourceQuotas } from "./resourcequotas.js";
import { secrets } from "./secrets.js";
import { serviceAccounts } from "./serviceaccounts.js";
import { services } from "./services.js";

export const coreV1Resources: ResourceType[] = [
  bindings,
  configMaps,
  endpoints,
  events,
  limitRanges,
  namespaces,
  nodes,
  persistentVolumeClaims,
  persistentVolumes,
  pods,
  podTemplates,
  replicationControllers,
  resourceQuotas,
  secrets,
  serviceAccounts,
  services,
];

export { defaultPodSpec, defaultPodTemplateSpec } from "./pod-defaults.js";
export { validatePodSpec, validatePodTemplateSpec } from "./pod-validation.js";
