import type { ParseKeys } from "i18next";
import type { Permission } from "@/lib/api/types";
import { PERMISSIONS, REVIEW_PERMISSIONS } from "@/lib/auth/me";

/** Paths the navigation may point to (checked against the route tree where links render). */
export type NavPath =
  | "/"
  | "/kalender"
  | "/beitraege"
  | "/freigaben"
  | "/einstellungen/freigaberegeln"
  | "/einwilligungen"
  | "/einstellungen"
  | "/einstellungen/benutzer"
  | "/einstellungen/standorte"
  | "/einstellungen/audit-log"
  | "/einstellungen/kanaele";

export interface NavItem {
  key: string;
  to: NavPath;
  label: ParseKeys;
  /** Shown only if the user holds this permission (or one of these) for the organization or some clinic. */
  permission?: Permission | readonly Permission[];
  children?: NavItem[];
}

/**
 * The product's sections. Posteingang and Kennzahlen join this
 * list when they have content; a section with no visible entry is never shown.
 */
export const NAV_ITEMS: NavItem[] = [
  { key: "overview", to: "/", label: "nav.overview" },
  { key: "calendar", to: "/kalender", label: "nav.calendar", permission: PERMISSIONS.postsRead },
  { key: "posts", to: "/beitraege", label: "nav.posts", permission: PERMISSIONS.postsRead },
  { key: "approvals", to: "/freigaben", label: "nav.approvals", permission: REVIEW_PERMISSIONS },
  { key: "consents", to: "/einwilligungen", label: "nav.consents", permission: PERMISSIONS.consentsManage },
  {
    key: "settings",
    to: "/einstellungen",
    label: "nav.settings",
    children: [
      { key: "users", to: "/einstellungen/benutzer", label: "nav.users", permission: PERMISSIONS.usersManage },
      { key: "sites", to: "/einstellungen/standorte", label: "nav.sites", permission: PERMISSIONS.organizationManage },
      { key: "channels", to: "/einstellungen/kanaele", label: "nav.channels", permission: PERMISSIONS.channelsManage },
      { key: "policies", to: "/einstellungen/freigaberegeln", label: "approvals.nav", permission: PERMISSIONS.policiesManage },
      { key: "audit", to: "/einstellungen/audit-log", label: "nav.audit", permission: PERMISSIONS.auditRead },
    ],
  },
];

/** The items the user may see: permission-gated items drop out, parents without children too. */
export function visibleNavItems(items: NavItem[], can: (permission: Permission) => boolean): NavItem[] {
  const result: NavItem[] = [];
  for (const item of items) {
    const required = item.permission === undefined ? [] : typeof item.permission === "string" ? [item.permission] : item.permission;
    if (required.length > 0 && !required.some(can)) continue;
    if (item.children) {
      const children = visibleNavItems(item.children, can);
      if (children.length === 0) continue;
      result.push({ ...item, children });
    } else {
      result.push(item);
    }
  }
  return result;
}
