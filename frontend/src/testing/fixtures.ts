import type { AuditEvent, Me, RoleAssignment, User } from "@/lib/api/types";

const ORG = "00000000-0000-4000-8000-000000000001";
const CLINIC_A = "00000000-0000-4000-8000-00000000000a";
const CREATED = "2026-11-01T09:00:00Z";

export const ids = { org: ORG, clinicA: CLINIC_A };

export function makeUser(overrides: Partial<User> = {}): User {
  return {
    id: "00000000-0000-4000-8000-000000000101",
    email: "anna.admin@klinikum.example",
    full_name: "Anna Admin",
    locale: "de",
    is_active: true,
    organization_id: ORG,
    created_at: CREATED,
    last_login_at: null,
    ...overrides,
  };
}

function assignment(user: User, role: RoleAssignment["role"], scope: "organization" | "clinic"): RoleAssignment {
  return {
    id: `${user.id.slice(0, -3)}${role.length}${scope.length}`,
    user_id: user.id,
    role,
    scope_type: scope,
    scope_id: scope === "organization" ? ORG : CLINIC_A,
    scope_name: scope === "organization" ? "Klinikverbund Nord" : "Klinikum Altstadt",
    created_at: CREATED,
  };
}

export function adminMe(): Me {
  const user = makeUser();
  return {
    user,
    role_assignments: [assignment(user, "admin", "organization")],
    organization_permissions: ["users.manage", "organization.manage", "audit.read"],
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions: ["users.manage", "audit.read"] }],
  };
}

export function moderatorMe(): Me {
  const user = makeUser({
    id: "00000000-0000-4000-8000-000000000102",
    email: "max.moderator@klinikum.example",
    full_name: "Max Moderator",
  });
  return {
    user,
    role_assignments: [assignment(user, "moderator", "clinic")],
    organization_permissions: [],
    clinics: [{ clinic_id: CLINIC_A, clinic_name: "Klinikum Altstadt", permissions: ["inbox.read", "inbox.work"] }],
  };
}

export function someUsers(): User[] {
  return [
    makeUser(),
    makeUser({ id: "00000000-0000-4000-8000-000000000103", email: "eva.editor@klinikum.example", full_name: "Eva Editorin" }),
    makeUser({
      id: "00000000-0000-4000-8000-000000000104",
      email: "old.user@klinikum.example",
      full_name: "Otto Ehemalig",
      is_active: false,
    }),
  ];
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: "00000000-0000-4000-8000-000000000201",
    seq: 1,
    occurred_at: "2026-11-20T08:15:00Z",
    action: "user.created",
    actor_id: makeUser().id,
    actor_name: "Anna Admin",
    target_type: "user",
    target_id: "00000000-0000-4000-8000-000000000103",
    clinic_id: null,
    ip: "127.0.0.1",
    details: {},
    ...overrides,
  };
}
