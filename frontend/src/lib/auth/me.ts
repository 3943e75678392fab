import { queryOptions, useQuery } from "@tanstack/react-query";
import { api, unwrap } from "@/lib/api/client";
import type { Me, Permission } from "@/lib/api/types";

export const meQueryOptions = () =>
  queryOptions({
    queryKey: ["me"] as const,
    queryFn: () => unwrap(api.GET("/api/v1/me")),
  });

export function useMe() {
  return useQuery(meQueryOptions());
}

/** True when the user holds `permission` for the organization or for at least one clinic. */
export function hasPermission(me: Me | undefined, permission: Permission): boolean {
  if (!me) return false;
  if (me.organization_permissions.includes(permission)) return true;
  return me.clinics.some((clinic) => clinic.permissions.includes(permission));
}

export const PERMISSIONS = {
  usersManage: "users.manage",
  organizationManage: "organization.manage",
  auditRead: "audit.read",
} as const satisfies Record<string, Permission>;
