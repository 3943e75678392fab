import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { setLanguage } from "@/lib/i18n";
import type { AuditEvent, ResponseBody } from "@/lib/api/types";
import { auditEvent } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { authorized, server, unauthorized } from "@/testing/server";

type AuditPage = ResponseBody<"/api/v1/audit-events", "get">;
type Verify = ResponseBody<"/api/v1/audit-events/verify", "get">;

const SESSION_ID = "5f3c2a91-7d4e-4b8a-9c1f-2e6d8b0a4c77";

function someEvents(): AuditEvent[] {
  return [
    auditEvent(),
    auditEvent({
      id: "00000000-0000-4000-8000-000000000202",
      seq: 2,
      action: "auth.logout",
      target_type: "session",
      target_id: SESSION_ID,
    }),
    auditEvent({
      id: "00000000-0000-4000-8000-000000000203",
      seq: 3,
      action: "payment.refunded",
      actor_id: null,
      actor_name: null,
      target_type: "invoice",
      target_id: null,
      ip: null,
    }),
  ];
}

/** The audit API: every event, or none when an action filter is set that matches nothing here. */
function auditBackend(queries: URLSearchParams[] = []) {
  return http.get("*/api/v1/audit-events", ({ request }) => {
    if (!authorized(request)) return unauthorized();
    const params = new URL(request.url).searchParams;
    queries.push(params);
    const action = params.get("action");
    const items = someEvents().filter((event) => !action || event.action === action);
    return HttpResponse.json<AuditPage>({ items, next_cursor: null });
  });
}

function rowOf(table: HTMLElement, text: string): HTMLElement {
  const row = within(table).getByText(text).closest("tr");
  if (!row) throw new Error(`no row with ${text}`);
  return row;
}

describe("Audit-Log", () => {
  it("shows translated actions and targets, keeping the raw codes for experts", async () => {
    server.use(auditBackend());
    renderApp("/einstellungen/audit-log", { signedIn: true });

    const table = await screen.findByRole("table");
    const created = rowOf(table, "Benutzer angelegt");
    expect(within(created).getByText("user.created").tagName).toBe("CODE");
    expect(within(created).getByText("Benutzer")).toBeInTheDocument();
    const targetId = within(created).getByText("00000000");
    expect(targetId).toHaveAttribute("title", "Vollständige ID: 00000000-0000-4000-8000-000000000103");
    expect(within(created).getByText("127.0.0.1")).toBeInTheDocument();
    expect(within(created).getByText(/20\.11\.2026/)).toBeInTheDocument();
    expect(within(created).queryByText("user")).not.toBeInTheDocument();

    const logout = rowOf(table, "Abmeldung");
    expect(within(logout).getByText("auth.logout")).toBeInTheDocument();
    expect(within(logout).getByText("Sitzung")).toBeInTheDocument();
    expect(within(logout).getByText("5f3c2a91")).toHaveAttribute("title", `Vollständige ID: ${SESSION_ID}`);

    // A code this version does not know yet stays readable as the raw code.
    const unknown = rowOf(table, "payment.refunded");
    expect(within(unknown).getByText("invoice")).toBeInTheDocument();
    expect(within(unknown).getByText("System")).toBeInTheDocument();
  });

  it("shows English labels when the UI is English", async () => {
    await setLanguage("en"); // a stored choice wins over the account's "de"
    server.use(auditBackend());
    renderApp("/einstellungen/audit-log", { signedIn: true });

    const table = await screen.findByRole("table");
    const created = rowOf(table, "User created");
    expect(within(created).getByText("user.created")).toBeInTheDocument();
    expect(within(created).getByText("User")).toBeInTheDocument();
    expect(within(rowOf(table, "Signed out")).getByText("Session")).toBeInTheDocument();
    expect(screen.getByRole("option", { name: "All actions" })).toBeInTheDocument();
  });

  it("filters by a chosen action label and by date, verifies and exports", async () => {
    const queries: URLSearchParams[] = [];
    let exportAuth: string | null = null;
    server.use(
      auditBackend(queries),
      http.get("*/api/v1/audit-events/verify", () =>
        HttpResponse.json<Verify>({ ok: true, checked: 42, first_broken_id: null }),
      ),
      http.get("*/api/v1/audit-events/export.csv", ({ request }) => {
        exportAuth = request.headers.get("Authorization");
        return new HttpResponse("id,action\n1,user.created\n", { headers: { "Content-Type": "text/csv" } });
      }),
    );
    URL.createObjectURL = vi.fn(() => "blob:audit");
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const user = userEvent.setup();
    renderApp("/einstellungen/audit-log", { signedIn: true });
    await screen.findByRole("table");

    await user.click(screen.getByRole("button", { name: "Integrität prüfen" }));
    expect(await screen.findByText("Die Kette ist unverändert: 42 Ereignisse geprüft.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "CSV exportieren" }));
    expect(await screen.findByText("CSV-Datei wurde heruntergeladen.")).toBeInTheDocument();
    expect(exportAuth).toMatch(/^Bearer token-/);
    expect(click).toHaveBeenCalledTimes(1);

    // The action filter is a list of labels, not a free-text code.
    const select = screen.getByRole("combobox", { name: "Aktion" });
    expect(select).toHaveValue("");
    expect(within(select).getAllByRole("option")).toHaveLength(1 + 22);
    expect(within(select).getByRole("option", { name: "Alle Aktionen" })).toBeInTheDocument();
    expect(within(select).getByRole("group", { name: "Anmeldung & Sitzung" })).toBeInTheDocument();

    await user.selectOptions(select, "Rolle zugewiesen");
    await user.type(screen.getByLabelText("Von"), "2026-11-01");
    await user.click(screen.getByRole("button", { name: "Filtern" }));
    expect(await screen.findByText("Keine Ereignisse für diese Filter.")).toBeInTheDocument();
    const last = queries.at(-1);
    expect(last?.get("action")).toBe("role.assigned");
    expect(new Date(last?.get("from") ?? "").getTime()).toBe(new Date("2026-11-01T00:00:00").getTime());

    await user.selectOptions(select, "Abmeldung");
    await user.click(screen.getByRole("button", { name: "Filtern" }));
    // The empty state replaced the table: find the new one.
    expect(await within(await screen.findByRole("table")).findByText("auth.logout")).toBeInTheDocument();
    expect(queries.at(-1)?.get("action")).toBe("auth.logout");

    await user.click(screen.getByRole("button", { name: "Filter zurücksetzen" }));
    expect(select).toHaveValue("");
    expect(await within(screen.getByRole("table")).findByText("Benutzer angelegt")).toBeInTheDocument();
    expect(queries.at(-1)?.get("action")).toBeNull();
  });

  it("labels the date inputs with real <label for> elements", async () => {
    server.use(auditBackend());
    renderApp("/einstellungen/audit-log", { signedIn: true });
    await screen.findByRole("table");
    for (const name of ["Von", "Bis"]) {
      const input = screen.getByLabelText(name);
      expect(input).toHaveAttribute("type", "date");
      const label = screen.getByText(name, { selector: "label" });
      expect(label).toHaveAttribute("for", input.id);
    }
  });
});
