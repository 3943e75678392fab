import { describe, expect, it } from "vitest";
import i18n from "@/lib/i18n";
import { AUDIT_ACTIONS, groupedActions, isKnownAction, shortId, TARGET_TYPES } from "./audit-actions";

// The codes the backend writes (app/**/service.py, audit router, demo seed).
const BACKEND_ACTIONS = [
  "auth.login", "auth.login_failed", "auth.login_locked", "auth.logout", "auth.refresh_reused", "auth.forbidden",
  "user.created", "user.updated", "user.deactivated", "user.reactivated", "user.password_changed",
  "user.password_reset_requested", "user.password_reset_completed", "role.assigned", "role.removed",
  "organization.updated", "region.created", "region.updated", "clinic.created", "clinic.updated",
  "audit.exported", "demo.seeded",
];

describe("audit action labels", () => {
  it("knows every action the backend writes", () => {
    expect([...AUDIT_ACTIONS].sort()).toEqual([...BACKEND_ACTIONS].sort());
    expect(isKnownAction("auth.login")).toBe(true);
    expect(isKnownAction("auth")).toBe(false);
    expect(isKnownAction("payment.refunded")).toBe(false);
  });

  it.each(["de", "en"] as const)("has a real, distinct %s label for each action", (language) => {
    const t = i18n.getFixedT(language);
    const labels = AUDIT_ACTIONS.map((action) => t(`audit.actions.${action}`));
    for (const [index, label] of labels.entries()) {
      expect(label, AUDIT_ACTIONS[index]).not.toMatch(/audit\.actions|returned an object|^\s*$/);
      expect(label).not.toBe(AUDIT_ACTIONS[index]);
    }
    expect(new Set(labels).size).toBe(labels.length);
  });

  it("labels actions and targets in German and English", () => {
    const de = i18n.getFixedT("de");
    const en = i18n.getFixedT("en");
    expect(de("audit.actions.auth.login")).toBe("Anmeldung erfolgreich");
    expect(en("audit.actions.auth.login")).toBe("Signed in");
    expect(de("audit.actions.user.created")).toBe("Benutzer angelegt");
    expect(en("audit.actions.role.assigned")).toBe("Role assigned");
    expect(TARGET_TYPES.map((type) => de(`audit.targets.${type}`))).toEqual([
      "Benutzer", "Klinik", "Sitzung", "Organisation", "Region",
    ]);
    expect(TARGET_TYPES.map((type) => en(`audit.targets.${type}`))).toEqual([
      "User", "Clinic", "Session", "Organization", "Region",
    ]);
  });

  it("groups every action exactly once for the filter", () => {
    const grouped = groupedActions();
    expect(grouped.map((entry) => entry.group)).toEqual(["auth", "user", "role", "sites", "system"]);
    expect(grouped.flatMap((entry) => entry.actions)).toEqual([...AUDIT_ACTIONS]);
  });

  it("shortens ids to their first 8 characters", () => {
    expect(shortId("00000000-0000-4000-8000-000000000103")).toBe("00000000");
    expect(shortId("abc")).toBe("abc");
  });
});
