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

/** True when the user holds `permission` for the organization or for this clinic. */
export function hasClinicPermission(me: Me | undefined, clinicId: string, permission: Permission): boolean {
  if (!me) return false;
  if (me.organization_permissions.includes(permission)) return true;
  return me.clinics.some((clinic) => clinic.clinic_id === clinicId && clinic.permissions.includes(permission));
}

/** The user's clinics in which they hold `permission`. */
export function clinicsWith(me: Me | undefined, permission: Permission): Me["clinics"] {
  if (!me) return [];
  return me.clinics.filter((clinic) => hasClinicPermission(me, clinic.clinic_id, permission));
}

export const PERMISSIONS = {
  usersManage: "users.manage",
  organizationManage: "organization.manage",
  auditRead: "audit.read",
  postsRead: "posts.read",
  postsWrite: "posts.write",
  postsSchedule: "posts.schedule",
  reviewMedical: "review.medical",
  reviewPrivacy: "review.privacy",
  reviewComms: "review.comms",
  policiesManage: "policies.manage",
  channelsManage: "channels.manage",
  crisisManage: "crisis.manage",
  consentsManage: "consents.manage",
} as const satisfies Record<string, Permission>;

/** The review permissions: one per kind of approval step (medical, privacy, comms). */
export const REVIEW_PERMISSIONS = [PERMISSIONS.reviewMedical, PERMISSIONS.reviewPrivacy, PERMISSIONS.reviewComms] as const;
