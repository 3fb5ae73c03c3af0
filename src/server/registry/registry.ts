/**
 * The table of served resources, indexed for routing and discovery. Built once at start from the
 * per-kind entries (`core-v1/`, `groups/`) and the API server's virtual review resources.
 */
import type { ResourceType } from "./types.js";

export interface ApiGroupInfo {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

/** Kube-aware version order: GA before beta before alpha, higher numbers first (v2 > v1 > v2beta2 > v1beta1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    const stage = m[2] === undefined ? 3 : m[2] === "beta" ? 2 : 1;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [sa, ma, na] = parse(a);
  const [sb, mb, nb] = parse(b);
  return sb - sa || mb - ma || nb - na || (a < b ? -1 : a > b ? 1 : 0);
}

export class Registry {
  private readonly byPath = new Map<string, ResourceType>();
  private readonly byGroupVersion = new Map<string, ResourceType[]>();
  readonly groups: ApiGroupInfo[];

  constructor(readonly resources: ResourceType[]) {
    const versionsByGroup = new Map<string, Set<string>>();
    for (const rt of resources) {
      const gvKey = `${rt.group}/${rt.version}`;
      const pathKey = `${gvKey}/${rt.plural}`;
      if (this.byPath.has(pathKey)) throw new Error(`resource ${pathKey} registered twice`);
      this.byPath.set(pathKey, rt);
      const list = this.byGroupVersion.get(gvKey) ?? [];
      list.push(rt);
      this.byGroupVersion.set(gvKey, list);
      const versions = versionsByGroup.get(rt.group) ?? new Set<string>();
      versions.add(rt.version);
      versionsByGroup.set(rt.group, versions);
    }
    this.groups = [...versionsByGroup.entries()].map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
  }

  lookup(group: string, version: string, plural: string): ResourceType | undefined {
    return this.byPath.get(`${group}/${version}/${plural}`);
  }

  resourcesFor(group: string, version: string): ResourceType[] {
    return this.byGroupVersion.get(`${group}/${version}`) ?? [];
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.byGroupVersion.has(`${group}/${version}`);
  }

  /** The entry in the preferred version of a group for a plural (used for cross-version storage). */
  preferred(group: string, plural: string): ResourceType | undefined {
    const g = this.groups.find((x) => x.name === group);
    for (const v of g?.versions ?? []) {
      const rt = this.lookup(group, v, plural);
      if (rt) return rt;
    }
    return undefined;
  }
}
