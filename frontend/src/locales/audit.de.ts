/**
 * German source of the `audit` section of the catalog (kept apart from de.ts, which stays under
 * the line limit). en's counterpart, audit.en.ts, is typed against it.
 *
 * `actions` mirrors the backend's action codes: "auth.login" is `audit.actions.auth.login`.
 */
const audit = {
  title: "Audit-Log",
  action: "Aktion",
  allActions: "Alle Aktionen",
  from: "Von",
  to: "Bis",
  apply: "Filtern",
  reset: "Filter zurücksetzen",
  occurredAt: "Zeitpunkt",
  actor: "Akteur",
  target: "Ziel",
  ip: "IP",
  system: "System",
  empty: "Keine Ereignisse für diese Filter.",
  export: "CSV exportieren",
  exporting: "Export läuft …",
  exported: "CSV-Datei wurde heruntergeladen.",
  verify: "Integrität prüfen",
  verifying: "Prüfung läuft …",
  verifyOk: "Die Kette ist unverändert: {{checked}} Ereignisse geprüft.",
  verifyBroken: "Die Kette ist unterbrochen ab Ereignis {{id}} ({{checked}} Ereignisse geprüft).",
  fullId: "Vollständige ID: {{id}}",
  groups: {
    auth: "Anmeldung & Sitzung",
    user: "Benutzer",
    role: "Rollen",
    sites: "Organisation & Standorte",
    system: "System",
  },
  actions: {
    auth: {
      login: "Anmeldung erfolgreich",
      login_failed: "Anmeldung fehlgeschlagen",
      login_locked: "Anmeldung gesperrt (zu viele Versuche)",
      logout: "Abmeldung",
      refresh_reused: "Wiederverwendetes Sitzungs-Token erkannt",
      forbidden: "Zugriff verweigert",
    },
    user: {
      created: "Benutzer angelegt",
      updated: "Benutzer geändert",
      deactivated: "Benutzer deaktiviert",
      reactivated: "Benutzer reaktiviert",
      password_changed: "Passwort geändert",
      password_reset_requested: "Passwort-Zurücksetzung angefordert",
      password_reset_completed: "Passwort über Link neu festgelegt",
    },
    role: {
      assigned: "Rolle zugewiesen",
      removed: "Rolle entfernt",
    },
    organization: {
      updated: "Organisation geändert",
    },
    region: {
      created: "Region angelegt",
      updated: "Region geändert",
    },
    clinic: {
      created: "Klinik angelegt",
      updated: "Klinik geändert",
    },
    audit: {
      exported: "Audit-Log exportiert",
    },
    demo: {
      seeded: "Demodaten angelegt",
    },
  },
  targets: {
    user: "Benutzer",
    clinic: "Klinik",
    session: "Sitzung",
    organization: "Organisation",
    region: "Region",
  },
};

export default audit;
export type AuditCatalog = typeof audit;
