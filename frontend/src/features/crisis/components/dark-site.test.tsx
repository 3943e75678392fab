import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { HoldingStatement, ResponseBody } from "@/lib/api/types";
import { commsMe, editorMe, ids, makeCrisis, makeHoldingStatement, makePaused, makePublication } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, problem, server } from "@/testing/server";

type Crises = ResponseBody<"/api/v1/crisis", "get">;
type Holding = ResponseBody<"/api/v1/crisis/holding-statements", "get">;
type Published = ResponseBody<"/api/v1/crisis/holding-statements/publish", "post">;
type Paused = ResponseBody<"/api/v1/crisis/paused", "get">;

const blocked = makeHoldingStatement({
  id: "00000000-0000-4000-8000-000000000312",
  title: "Statement Evakuierung",
  status: "in_review",
  approved: false,
  ready: false,
  problems: ["Status „in Prüfung“: nur freigegebene, noch nicht eingeplante Statements können veröffentlicht werden."],
});

function crisisActive(paused: Paused["items"] = []) {
  return [
    http.get("*/api/v1/crisis", () => HttpResponse.json<Crises>({ items: [makeCrisis()], next_cursor: null })),
    http.get("*/api/v1/crisis/paused", () => HttpResponse.json<Paused>({ items: paused, next_cursor: null })),
  ];
}

function holdingBackend(items: () => HoldingStatement[]) {
  return http.get("*/api/v1/crisis/holding-statements", () => HttpResponse.json<Holding>({ items: items(), next_cursor: null }));
}

async function darkSiteSection() {
  return (await screen.findByRole("heading", { name: "Dark Site: vorbereitete Statements" })).closest("section") as HTMLElement;
}

describe("Dark Site", () => {
  it("publishes the selected ready statements after a confirmation and shows the result per channel", async () => {
    backend.me = commsMe();
    const bodies: unknown[] = [];
    let published = false;
    const ready = makeHoldingStatement();
    const live = makePublication({ status: "published", platform_url: "https://social.example/@altstadt/1" });
    server.use(
      ...crisisActive(),
      holdingBackend(() => (published ? [{ ...ready, status: "published", ready: false, publications: [live] }, blocked] : [ready, blocked])),
      http.post("*/api/v1/crisis/holding-statements/publish", async ({ request }) => {
        bodies.push(await request.json());
        published = true;
        return HttpResponse.json<Published>({ items: [{ ...ready, status: "scheduled", ready: false, publications: [makePublication()] }] });
      }),
    );
    const user = userEvent.setup();
    renderApp("/krisenmodus", { signedIn: true });
    const section = await darkSiteSection();
    expect(await within(section).findByText("Erstinformation Brand")).toBeInTheDocument();
    // The blocked statement shows why and cannot be selected.
    expect(within(section).getByText(/nur freigegebene, noch nicht eingeplante Statements/)).toBeInTheDocument();
    expect(within(section).queryByRole("checkbox", { name: "Statement Evakuierung auswählen" })).not.toBeInTheDocument();
    expect(within(section).getByText("Nicht bereit")).toBeInTheDocument();

    const publish = within(section).getByRole("button", { name: "1 Statement veröffentlichen" });
    expect(publish).toBeDisabled();
    await user.click(within(section).getByRole("checkbox", { name: "Erstinformation Brand auswählen" }));
    await user.click(publish);
    const dialog = screen.getByRole("dialog", { name: "Statements jetzt veröffentlichen" });
    expect(dialog).toHaveTextContent("1 Statement wird sofort auf allen gewählten Kanälen veröffentlicht.");
    await user.click(within(dialog).getByRole("button", { name: "Jetzt veröffentlichen" }));

    expect(await screen.findByText("Veröffentlichung gestartet.")).toBeInTheDocument();
    expect(bodies).toEqual([{ post_ids: [ready.id] }]);
    const link = await within(section).findByRole("link", { name: "Beitrag ansehen auf Altstadt auf Mastodon" });
    expect(link).toHaveAttribute("href", "https://social.example/@altstadt/1");
    expect(within(section).getByText("Veröffentlicht")).toBeInTheDocument();
  });

  it("shows the backend's refusal, e.g. outside a crisis", async () => {
    backend.me = commsMe();
    server.use(
      ...crisisActive(),
      holdingBackend(() => [makeHoldingStatement()]),
      http.post("*/api/v1/crisis/holding-statements/publish", () =>
        problem(409, "Conflict", { detail: "Für „Klinikum Altstadt“ ist kein Krisenmodus aktiv." }),
      ),
    );
    const user = userEvent.setup();
    renderApp("/krisenmodus", { signedIn: true });
    const section = await darkSiteSection();
    await user.click(await within(section).findByRole("checkbox", { name: "Erstinformation Brand auswählen" }));
    await user.click(within(section).getByRole("button", { name: "1 Statement veröffentlichen" }));
    await user.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Jetzt veröffentlichen" }));
    expect(await within(section).findByRole("alert")).toHaveTextContent("Für „Klinikum Altstadt“ ist kein Krisenmodus aktiv.");
  });

  it("lets editors see readiness but not publish", async () => {
    backend.me = editorMe();
    server.use(...crisisActive(), holdingBackend(() => [makeHoldingStatement()]));
    renderApp("/krisenmodus", { signedIn: true });
    const section = await darkSiteSection();
    expect(await within(section).findByText("Bereit")).toBeInTheDocument();
    expect(within(section).queryByRole("checkbox")).not.toBeInTheDocument();
    expect(within(section).queryByRole("button", { name: /veröffentlichen/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Dark Site" })).not.toBeInTheDocument();
  });

  it("opens from the crisis banner for comms leads, with an empty state", async () => {
    backend.me = commsMe();
    server.use(...crisisActive());
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    const banner = await screen.findByRole("alert");
    await user.click(within(banner).getByRole("button", { name: "Dark Site" }));
    const dialog = screen.getByRole("dialog", { name: "Dark Site: vorbereitete Statements" });
    expect(await within(dialog).findByText(/Keine vorbereiteten Statements/)).toBeInTheDocument();
  });

  it("asks which of the twice-occurring times is meant when resuming across the clock change", async () => {
    backend.me = editorMe();
    const bodies: unknown[] = [];
    server.use(
      ...crisisActive([makePaused()]),
      http.post("*/api/v1/publications/:id/resume", async ({ request }) => {
        const body = (await request.json()) as { fold?: number };
        bodies.push(body);
        if (body.fold === undefined)
          return problem(422, "Validation failed", {
            detail: "25.10.2026 02:30 gibt es wegen der Zeitumstellung zweimal in Europe/Berlin.",
            errors: [{ field: "body.at_local", message: "zweimal", type: "ambiguous_time" }],
          });
        return HttpResponse.json(makePublication({ id: ids.publication, status: "pending" }));
      }),
    );
    const user = userEvent.setup();
    renderApp("/krisenmodus", { signedIn: true });
    const section = (await screen.findByRole("heading", { name: "Pausierte Veröffentlichungen" })).closest("section") as HTMLElement;
    await user.type(await within(section).findByLabelText("Neuer Zeitpunkt"), "2026-10-25T02:30");
    await user.click(within(section).getByRole("button", { name: "Fortsetzen" }));
    const choice = await within(section).findByRole("group", { name: /gibt es wegen der Zeitumstellung zweimal/ });
    expect(within(section).getByRole("button", { name: "Fortsetzen" })).toBeDisabled();
    await user.click(within(choice).getByRole("radio", { name: "Die zweite (Winterzeit)" }));
    await user.click(within(section).getByRole("button", { name: "Fortsetzen" }));
    expect(await screen.findByText("Veröffentlichung ist wieder eingeplant.")).toBeInTheDocument();
    expect(bodies).toEqual([{ at_local: "2026-10-25T02:30" }, { at_local: "2026-10-25T02:30", fold: 1 }]);
  });
});
