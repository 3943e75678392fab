import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Crisis, CrisisInput, CrisisStarted, Publication, ResponseBody } from "@/lib/api/types";
import { editorMe, ids, makeCrisis, makePaused, makePublication } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, problem, server } from "@/testing/server";

type Crises = ResponseBody<"/api/v1/crisis", "get">;
type Paused = ResponseBody<"/api/v1/crisis/paused", "get">;

function crisesBackend(items: Crisis[]) {
  return http.get("*/api/v1/crisis", () => HttpResponse.json<Crises>({ items, next_cursor: null }));
}

describe("Krisenmodus", () => {
  it("shows a banner on every page while a crisis is active: announced once, then a status", async () => {
    backend.me = editorMe();
    server.use(
      crisesBackend([makeCrisis(), makeCrisis({ id: "00000000-0000-4000-8000-000000000602", active: false, reason: "Vorbei" })]),
      http.get("*/api/v1/crisis/paused", () => HttpResponse.json<Paused>({ items: [], next_cursor: null })),
    );
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    const banner = await screen.findByRole("alert");
    expect(banner).toHaveTextContent("Krisenmodus aktiv – Klinikum Altstadt: Brand im Nordflügel");
    expect(banner).toHaveTextContent("Geplante Veröffentlichungen sind pausiert.");
    expect(banner).not.toHaveTextContent("Vorbei");

    await user.click(within(banner).getByRole("link", { name: "Krisenmodus und pausierte Veröffentlichungen" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Krisenmodus" })).toBeInTheDocument();
    const quiet = screen.getByText(/Krisenmodus aktiv – Klinikum Altstadt/).closest(".crisis-banner");
    expect(quiet).toHaveAttribute("role", "status");
    // An editor cannot start or end a crisis.
    expect(screen.queryByRole("button", { name: "Krisenmodus" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Krisenmodus für .* beenden/ })).not.toBeInTheDocument();
  });

  it("shows no banner without an active crisis", async () => {
    renderApp("/", { signedIn: true });
    await screen.findByRole("heading", { name: "Willkommen, Anna Admin" });
    expect(screen.queryByText(/Krisenmodus aktiv/)).not.toBeInTheDocument();
  });

  it("starts crisis mode for a chosen scope with a reason", async () => {
    const bodies: CrisisInput[] = [];
    let active: Crisis[] = [];
    server.use(
      http.get("*/api/v1/crisis", () => HttpResponse.json<Crises>({ items: active, next_cursor: null })),
      http.post("*/api/v1/crisis", async ({ request }) => {
        const body = (await request.json()) as CrisisInput;
        bodies.push(body);
        active = [makeCrisis({ reason: body.reason })];
        return HttpResponse.json<CrisisStarted>(
          { ...makeCrisis({ reason: body.reason }), paused_publications: 3, in_flight_publication_ids: [ids.publication] },
          { status: 201 },
        );
      }),
    );
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Krisenmodus" }));
    const dialog = screen.getByRole("dialog", { name: "Krisenmodus starten" });
    const scope = within(dialog).getByLabelText("Bereich");
    expect(within(scope).getByRole("option", { name: "Ganze Organisation" })).toBeInTheDocument();
    expect(within(scope).getByRole("option", { name: "Region: Region Nord" })).toBeInTheDocument();
    await user.selectOptions(scope, "Klinikum Altstadt");
    const start = within(dialog).getByRole("button", { name: "Krisenmodus starten" });
    expect(start).toBeDisabled();
    await user.type(within(dialog).getByLabelText("Anlass"), "Brand im Nordflügel");
    await user.click(start);

    expect(
      await screen.findByText(
        "Krisenmodus ist aktiv: 3 Veröffentlichungen pausiert. 1 Veröffentlichung war bereits unterwegs und kann trotzdem erscheinen: bitte prüfen.",
      ),
    ).toBeInTheDocument();
    expect(bodies).toEqual([{ scope_type: "clinic", scope_id: ids.clinicA, reason: "Brand im Nordflügel" }]);
    expect(await screen.findByRole("alert")).toHaveTextContent("Krisenmodus aktiv – Klinikum Altstadt: Brand im Nordflügel");
  });

  it("lists paused publications in the clinic's time zone and resumes one; the backend's refusal during a crisis is shown", async () => {
    let resumed: unknown = null;
    let refuse = true;
    server.use(
      crisesBackend([makeCrisis()]),
      http.get("*/api/v1/crisis/paused", () => HttpResponse.json<Paused>({ items: [makePaused()], next_cursor: null })),
      http.post("*/api/v1/publications/:id/resume", async ({ request }) => {
        if (refuse) return problem(409, "Conflict", { detail: "Solange der Krisenmodus für diese Klinik gilt, wird nichts fortgesetzt." });
        resumed = await request.json();
        return HttpResponse.json<Publication>(makePublication({ status: "pending" }));
      }),
    );
    const user = userEvent.setup();
    renderApp("/krisenmodus", { signedIn: true });
    const section = (await screen.findByRole("heading", { name: "Pausierte Veröffentlichungen" })).closest("section") as HTMLElement;
    expect(await within(section).findByText(/Grippeimpfung im Herbst – Altstadt auf Mastodon/)).toBeInTheDocument();
    expect(within(section).getByText("Geplant für 20.11.2026, 09:30 (Europe/Berlin)")).toBeInTheDocument();
    expect(within(section).getByRole("link", { name: "Zum Beitrag" })).toHaveAttribute("href", `/beitraege/${ids.post}`);
    await user.type(within(section).getByLabelText("Neuer Zeitpunkt"), "2026-12-01T10:00");
    await user.click(within(section).getByRole("button", { name: "Fortsetzen" }));
    expect(await within(section).findByRole("alert")).toHaveTextContent("Solange der Krisenmodus für diese Klinik gilt, wird nichts fortgesetzt.");
    refuse = false;
    await user.click(within(section).getByRole("button", { name: "Fortsetzen" }));
    expect(await screen.findByText("Veröffentlichung ist wieder eingeplant.")).toBeInTheDocument();
    expect(resumed).toEqual({ at_local: "2026-12-01T10:00" });
  });

  it("ends a crisis after a confirmation", async () => {
    let ended = false;
    server.use(
      crisesBackend([makeCrisis()]),
      http.get("*/api/v1/crisis/paused", () => HttpResponse.json<Paused>({ items: [], next_cursor: null })),
      http.post("*/api/v1/crisis/:id/end", () => {
        ended = true;
        return HttpResponse.json<Crisis>(makeCrisis({ active: false, ended_at: "2026-11-20T12:00:00Z" }));
      }),
    );
    const user = userEvent.setup();
    renderApp("/krisenmodus", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Krisenmodus für Klinikum Altstadt beenden" }));
    const dialog = screen.getByRole("dialog", { name: "Krisenmodus beenden" });
    await user.click(within(dialog).getByRole("button", { name: "Krisenmodus beenden" }));
    expect(await screen.findByText("Krisenmodus wurde beendet.")).toBeInTheDocument();
    expect(ended).toBe(true);
  });
});
