/**
 * PodTemplates (core/v1): a stored pod template. Defaults and validation are the shared pod template
 * ones; the table is upstream's Name, Containers, Images, Pod Labels (no Age).
 */
import type { PodTemplateSpec } from "kubernetes-types/core/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { NAME_COLUMN, formatMapSelector } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, containerCells } from "./columns.js";
import { defaultPodTemplateSpec } from "./pod-defaults.js";
import { validatePodTemplateSpec } from "./pod-validation.js";

function templateOf(obj: KubeObject): PodTemplateSpec | undefined {
  return obj.template as PodTemplateSpec | undefined;
}

export const podTemplates: ResourceType = resourceType({
  group: "",
  version: "v1",
  kind: "PodTemplate",
  plural: "podtemplates",
  namespaced: true,
  // No metadata.generation: upstream (1.32) sets it only for kinds whose controllers report observedGeneration.
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("Containers", "Names of each container in the template."),
      column("Images", "Images referenced by each container in the template."),
      column("Pod Labels", "The labels for the pod template."),
    ],
    cells(obj) {
      const t = templateOf(obj);
      const [names, images] = containerCells(t?.spec?.containers);
      return [obj.metadata.name ?? "", names, images, formatMapSelector(t?.metadata?.labels)];
    },
  },
  defaults(obj) {
    const t = templateOf(obj);
    if (t) defaultPodTemplateSpec(t);
  },
  validate: (obj) => validatePodTemplateSpec(templateOf(obj), "template"),
});
