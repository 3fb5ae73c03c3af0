/**
 * storage.k8s.io/v1 CSIDriver (cluster-scoped): defaults (pkg/apis/storage/v1/defaults.go),
 * validation (pkg/apis/storage/validation `ValidateCSIDriver(Update)`) and table (`printCSIDriver`).
 */
import type { CSIDriver, CSIDriverSpec } from "kubernetes-types/storage/v1.js";
import type { KubeObject } from "../../../shared/api/types.js";
import { fieldError, type StatusCause } from "../../../shared/api/status.js";
import { isDNS1123Subdomain } from "../../../shared/api/validation.js";
import { AGE_COLUMN, NAME_COLUMN, age } from "../printing.js";
import { resourceType, type ResourceType } from "../types.js";
import { column, ensure, immutable, specOf } from "./common.js";

/** CSI driver names are DNS subdomains of at most 63 characters (upstream `ValidateCSIDriverName`). */
const MAX_CSI_DRIVER_NAME_LENGTH = 63;
const FS_GROUP_POLICIES = ["File", "None", "ReadWriteOnceWithFSType"];
const LIFECYCLE_MODES = ["Persistent", "Ephemeral"];

/**
 * Upstream `ValidateCSIDriverName`, shared with VolumeAttachment.spec.attacher and CSINode drivers.
 *
 * @example validateCSIDriverName("csi.example.com", "metadata.name") // []
 */
export function validateCSIDriverName(name: string, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!name) causes.push(fieldError.required(path));
  if (name.length > MAX_CSI_DRIVER_NAME_LENGTH) causes.push(fieldError.tooLong(path, MAX_CSI_DRIVER_NAME_LENGTH));
  for (const msg of isDNS1123Subdomain(name.toLowerCase())) causes.push(fieldError.invalid(path, name, msg));
  return causes;
}

/**
 * Upstream `SetDefaults_CSIDriver`.
 *
 * @example defaultCSIDriver(d); // d.spec.attachRequired === true, volumeLifecycleModes ["Persistent"]
 */
export function defaultCSIDriver(obj: KubeObject): void {
  const spec = ensure<CSIDriverSpec>(obj, "spec");
  spec.attachRequired ??= true;
  spec.podInfoOnMount ??= false;
  spec.storageCapacity ??= false;
  spec.fsGroupPolicy ??= "ReadWriteOnceWithFSType";
  if (!spec.volumeLifecycleModes || spec.volumeLifecycleModes.length === 0) spec.volumeLifecycleModes = ["Persistent"];
  spec.requiresRepublish ??= false;
  spec.seLinuxMount ??= false;
}

/** Service account tokens for a driver must live between 10 minutes and 2^32 seconds (upstream limits). */
const MIN_TOKEN_EXPIRATION_SECONDS = 600;
const MAX_TOKEN_EXPIRATION_SECONDS = 2 ** 32;

/**
 * Upstream `ValidateCSIDriver` / `ValidateCSIDriverUpdate` (the object name itself is a DNS subdomain,
 * checked by the API layer like any other name).
 *
 * @example validateCSIDriver(driver, undefined) // [] for a defaulted driver
 */
export function validateCSIDriver(obj: KubeObject, old: KubeObject | undefined): StatusCause[] {
  const spec = specOf<CSIDriverSpec>(obj);
  const causes: StatusCause[] = [];
  // Upstream reports attachRequired under the misspelt path "spec.attachedRequired".
  if (spec.attachRequired === undefined) causes.push(fieldError.required("spec.attachedRequired"));
  if (spec.podInfoOnMount === undefined) causes.push(fieldError.required("spec.podInfoOnMount"));
  if (spec.storageCapacity === undefined) causes.push(fieldError.required("spec.storageCapacity"));
  if (spec.fsGroupPolicy !== undefined && !FS_GROUP_POLICIES.includes(spec.fsGroupPolicy)) {
    causes.push(fieldError.notSupported("spec.fsGroupPolicy", spec.fsGroupPolicy, FS_GROUP_POLICIES));
  }
  const audiences = new Set<string>();
  (spec.tokenRequests ?? []).forEach((t, i) => {
    const p = `spec.tokenRequests[${i}]`;
    if (audiences.has(t.audience)) {
      causes.push(fieldError.duplicate(`${p}.audience`, t.audience));
      return;
    }
    audiences.add(t.audience);
    const exp = t.expirationSeconds;
    if (exp === undefined) return;
    if (exp < MIN_TOKEN_EXPIRATION_SECONDS) causes.push(fieldError.invalid(`${p}.expirationSeconds`, exp, "may not specify a duration less than 10 minutes"));
    if (exp > MAX_TOKEN_EXPIRATION_SECONDS) causes.push(fieldError.invalid(`${p}.expirationSeconds`, exp, "may not specify a duration larger than 2^32 seconds"));
  });
  for (const m of spec.volumeLifecycleModes ?? []) {
    if (!LIFECYCLE_MODES.includes(m)) causes.push(fieldError.notSupported("spec.volumeLifecycleModes", m, LIFECYCLE_MODES));
  }
  if (spec.seLinuxMount === undefined) causes.push(fieldError.required("spec.seLinuxMount"));
  if (old) {
    const o = specOf<CSIDriverSpec>(old);
    causes.push(...immutable(spec.attachRequired, o.attachRequired, "spec.attachedRequired"));
    causes.push(...immutable(spec.volumeLifecycleModes, o.volumeLifecycleModes, "spec.volumeLifecycleModes"));
  }
  return causes;
}

export const csidrivers: ResourceType = resourceType({
  group: "storage.k8s.io",
  version: "v1",
  kind: "CSIDriver",
  plural: "csidrivers",
  namespaced: false,
  generationTracksSpec: false,
  table: {
    columns: [
      NAME_COLUMN,
      column("AttachRequired", "boolean", "attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting."),
      column("PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true."),
      column("StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true."),
      column("TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication."),
      column("RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume."),
      column("Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
      AGE_COLUMN,
    ],
    cells(obj, now) {
      const d = obj as unknown as CSIDriver;
      const s = d.spec ?? {};
      const modes = (s.volumeLifecycleModes ?? []).join(",");
      const tokens = s.tokenRequests === undefined ? "<unset>" : s.tokenRequests.map((t) => t.audience).join(",");
      return [d.metadata?.name ?? "", s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens, s.requiresRepublish ?? false, modes || "<none>", age(obj, now)];
    },
  },
  defaults: defaultCSIDriver,
  validate: (obj, old) => validateCSIDriver(obj, old),
});
