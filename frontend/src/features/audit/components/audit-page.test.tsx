import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import type { ResponseBody } from "@/lib/api/types";
import { auditEvent } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { authorized, server, unauthorized } from "@/testing/server";

type AuditPage = ResponseBody<"/api/v1/audit-events", "get">;
type Verify = ResponseBody<"/api/v1/audit-events/verify", "get">;

describe("Audit-Log", () => {
  it("lists events, filters by action and date, verifies and exports", async () => {
    const queries: URLSearchParams[] = [];
    let exportAuth: string | null = null;
    server.use(
      http.get("*/api/v1/audit-events", ({ request }) => {
        if (!authorized(request)) return unauthorized();
        const params = new URL(request.url).searchParams;
        queries.push(params);
        const items = params.get("action") === "nichts" ? [] : [auditEvent()];
        return HttpResponse.json<AuditPage>({ items, next_cursor: null });
      }),
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

    const table = await screen.findByRole("table");
    expect(within(table).getByText("user.created")).toBeInTheDocument();
    expect(within(table).getByText("127.0.0.1")).toBeInTheDocument();
    expect(within(table).getByText(/20\.11\.2026/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Integrität prüfen" }));
    expect(await screen.findByText("Die Kette ist unverändert: 42 Ereignisse geprüft.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "CSV exportieren" }));
    expect(await screen.findByText("CSV-Datei wurde heruntergeladen.")).toBeInTheDocument();
    expect(exportAuth).toMatch(/^Bearer token-/);
    expect(click).toHaveBeenCalledTimes(1);

    await user.type(screen.getByLabelText("Aktion"), "nichts");
    await user.type(screen.getByLabelText("Von"), "2026-11-01");
    await user.click(screen.getByRole("button", { name: "Filtern" }));
    expect(await screen.findByText("Keine Ereignisse für diese Filter.")).toBeInTheDocument();
    const last = queries.at(-1);
    expect(last?.get("action")).toBe("nichts");
    expect(new Date(last?.get("from") ?? "").getTime()).toBe(new Date("2026-11-01T00:00:00").getTime());
  });
});
