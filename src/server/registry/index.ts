/**
 * Every kind the API server serves: core/v1 and the named groups, one `ResourceType` each (see
 * `core-v1/` and `groups/`).
 */
import { coreV1Resources } from "./core-v1/index.js";
import { groupResources } from "./groups/index.js";
import type { ResourceType } from "./types.js";

export function allResources(): ResourceType[] {
  return [...coreV1Resources, ...groupResources];
}
