import { useTranslation } from "react-i18next";

const KNOWN_ROLES = ["admin", "editor", "medical_reviewer", "privacy_officer", "comms_lead", "moderator", "analyst"] as const;
type KnownRole = (typeof KNOWN_ROLES)[number];

function isKnownRole(role: string): role is KnownRole {
  return (KNOWN_ROLES as readonly string[]).includes(role);
}

/** The translated label of a role; unknown roles (added later on the server) show their id. */
export function useRoleLabel(): (role: string) => string {
  const { t } = useTranslation();
  return (role) => (isKnownRole(role) ? t(`roles.${role}`) : role);
}

export function useScopeLabel(): (scope: string) => string {
  const { t } = useTranslation();
  return (scope) =>
    scope === "organization" || scope === "region" || scope === "clinic" ? t(`scope.${scope}`) : scope;
}
