import type { AuditCatalog } from "@/locales/audit.de";

type Actions = AuditCatalog["actions"];
/** "area.verb" for every label in the catalog: an action listed below without a label does not compile. */
type LabelledAction = { [Area in keyof Actions]: `${Area}.${Extract<keyof Actions[Area], string>}` }[keyof Actions];

/** The action codes the backend writes to the audit log, in the order the filter lists them. */
export const AUDIT_ACTIONS = [
  "auth.login",
  "auth.login_failed",
  "auth.login_locked",
  "auth.logout",
  "auth.refresh_reused",
  "auth.forbidden",
  "user.created",
  "user.updated",
  "user.deactivated",
  "user.reactivated",
  "user.password_changed",
  "user.password_reset_requested",
  "user.password_reset_completed",
  "role.assigned",
  "role.removed",
  "organization.updated",
  "region.created",
  "region.updated",
  "clinic.created",
  "clinic.updated",
  "audit.exported",
  "demo.seeded",
] as const satisfies readonly LabelledAction[];

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export function isKnownAction(code: string): code is AuditAction {
  return (AUDIT_ACTIONS as readonly string[]).includes(code);
}

export type ActionGroup = keyof AuditCatalog["groups"];

const GROUP_OF_AREA: Record<string, ActionGroup> = {
  auth: "auth",
  user: "user",
  role: "role",
  organization: "sites",
  region: "sites",
  clinic: "sites",
  audit: "system",
  demo: "system",
};

/** The known actions grouped for the filter's <optgroup>s, keeping the list order. */
export function groupedActions(): { group: ActionGroup; actions: AuditAction[] }[] {
  const groups = new Map<ActionGroup, AuditAction[]>();
  for (const action of AUDIT_ACTIONS) {
    const group = GROUP_OF_AREA[action.slice(0, action.indexOf("."))] ?? "system";
    groups.set(group, [...(groups.get(group) ?? []), action]);
  }
  return [...groups].map(([group, actions]) => ({ group, actions }));
}

export const TARGET_TYPES = ["user", "clinic", "session", "organization", "region"] as const satisfies readonly (keyof AuditCatalog["targets"])[];
export type TargetType = (typeof TARGET_TYPES)[number];

export function isKnownTarget(type: string): type is TargetType {
  return (TARGET_TYPES as readonly string[]).includes(type);
}

/** The first 8 characters of an id (a UUID's first block): enough to tell rows apart. */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(0, 8) : id;
}
