/**
 * Create-only "review" resources that answer questions about the caller: SelfSubjectAccessReview and
 * SelfSubjectRulesReview (`kubectl auth can-i`), SelfSubjectReview (`kubectl auth whoami`). Until RBAC
 * lands every authenticated user is a cluster admin (system:masters), so every question is answered yes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "../../shared/api/status.js";
import { resourceType, type ResourceType } from "../registry/types.js";
import type { UserInfo } from "./auth.js";
import { decodeObjectBody, readBody } from "./body.js";
import type { VirtualCreateHandler } from "./api-handler.js";
import { writeJson } from "./resource-handler.js";

const createOnly = { verbs: ["create" as const], namespaced: false };

export const REVIEW_RESOURCES: ResourceType[] = [
  resourceType({ group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectAccessReview", plural: "selfsubjectaccessreviews", ...createOnly }),
  resourceType({ group: "authorization.k8s.io", version: "v1", kind: "SelfSubjectRulesReview", plural: "selfsubjectrulesreviews", ...createOnly }),
  resourceType({ group: "authorization.k8s.io", version: "v1", kind: "SubjectAccessReview", plural: "subjectaccessreviews", ...createOnly }),
  resourceType({ group: "authorization.k8s.io", version: "v1", kind: "LocalSubjectAccessReview", plural: "localsubjectaccessreviews", verbs: ["create"], namespaced: true }),
  resourceType({ group: "authentication.k8s.io", version: "v1", kind: "SelfSubjectReview", plural: "selfsubjectreviews", ...createOnly }),
];

/** Whether `user` may do anything: members of system:masters may (RBAC is a later issue). */
function isClusterAdmin(user: UserInfo): boolean {
  return user.groups.includes("system:masters");
}

async function readReview(req: IncomingMessage, kind: string): Promise<Record<string, unknown>> {
  const body = await readBody(req);
  const obj = decodeObjectBody(body, req.headers["content-type"], kind).object;
  if (obj.kind && obj.kind !== kind) throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${kind})`);
  return obj;
}

function respond(res: ServerResponse, apiVersion: string, kind: string, review: Record<string, unknown>, status: Record<string, unknown>): void {
  const metadata = { ...((review.metadata as Record<string, unknown>) ?? {}), creationTimestamp: null };
  writeJson(res, 201, { kind, apiVersion, metadata, spec: review.spec ?? {}, status });
}

const accessReview = (kind: string): VirtualCreateHandler => async (req, res, user) => {
  const review = await readReview(req, kind);
  const allowed = isClusterAdmin(user);
  respond(res, "authorization.k8s.io/v1", kind, review, allowed ? { allowed: true, reason: "kube-lite: member of system:masters" } : { allowed: false, reason: "no RBAC policy matched" });
};

export function reviewHandlers(): Map<string, VirtualCreateHandler> {
  return new Map<string, VirtualCreateHandler>([
    ["authorization.k8s.io/v1/selfsubjectaccessreviews", accessReview("SelfSubjectAccessReview")],
    ["authorization.k8s.io/v1/subjectaccessreviews", accessReview("SubjectAccessReview")],
    ["authorization.k8s.io/v1/localsubjectaccessreviews", accessReview("LocalSubjectAccessReview")],
    [
      "authorization.k8s.io/v1/selfsubjectrulesreviews",
      async (req, res, user) => {
        const review = await readReview(req, "SelfSubjectRulesReview");
        const admin = isClusterAdmin(user);
        respond(res, "authorization.k8s.io/v1", "SelfSubjectRulesReview", review, {
          resourceRules: admin ? [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }] : [],
          nonResourceRules: admin ? [{ verbs: ["*"], nonResourceURLs: ["*"] }] : [],
          incomplete: false,
        });
      },
    ],
    [
      "authentication.k8s.io/v1/selfsubjectreviews",
      async (req, res, user) => {
        const review = await readReview(req, "SelfSubjectReview");
        const userInfo: Record<string, unknown> = { username: user.username, groups: user.groups };
        if (user.uid) userInfo.uid = user.uid;
        writeJson(res, 201, { kind: "SelfSubjectReview", apiVersion: "authentication.k8s.io/v1", metadata: { ...((review.metadata as object) ?? {}), creationTimestamp: null }, status: { userInfo } });
      },
    ],
  ]);
}
