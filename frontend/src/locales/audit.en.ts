import type { AuditCatalog } from "./audit.de";

/** English `audit` section; every key of audit.de.ts must exist here (checked by the compiler). */
const audit: AuditCatalog = {
  title: "Audit log",
  action: "Action",
  allActions: "All actions",
  from: "From",
  to: "To",
  apply: "Filter",
  reset: "Reset filters",
  occurredAt: "Time",
  actor: "Actor",
  target: "Target",
  ip: "IP",
  system: "System",
  empty: "No events for these filters.",
  export: "Export CSV",
  exporting: "Exporting …",
  exported: "The CSV file has been downloaded.",
  verify: "Verify integrity",
  verifying: "Verifying …",
  verifyOk: "The chain is intact: {{checked}} events checked.",
  verifyBroken: "The chain is broken from event {{id}} on ({{checked}} events checked).",
  fullId: "Full ID: {{id}}",
  groups: {
    auth: "Sign-in & session",
    user: "Users",
    role: "Roles",
    sites: "Organization & locations",
    system: "System",
  },
  actions: {
    auth: {
      login: "Signed in",
      login_failed: "Sign-in failed",
      login_locked: "Sign-in locked (too many attempts)",
      logout: "Signed out",
      refresh_reused: "Reused session token detected",
      forbidden: "Access denied",
    },
    user: {
      created: "User created",
      updated: "User updated",
      deactivated: "User deactivated",
      reactivated: "User reactivated",
      password_changed: "Password changed",
      password_reset_requested: "Password reset requested",
      password_reset_completed: "Password set via reset link",
    },
    role: {
      assigned: "Role assigned",
      removed: "Role removed",
    },
    organization: {
      updated: "Organization updated",
    },
    region: {
      created: "Region created",
      updated: "Region updated",
    },
    clinic: {
      created: "Clinic created",
      updated: "Clinic updated",
    },
    audit: {
      exported: "Audit log exported",
    },
    demo: {
      seeded: "Demo data created",
    },
  },
  targets: {
    user: "User",
    clinic: "Clinic",
    session: "Session",
    organization: "Organization",
    region: "Region",
  },
};

export default audit;
