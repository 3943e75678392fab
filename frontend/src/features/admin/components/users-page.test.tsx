import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { ResponseBody } from "@/lib/api/types";
import { makeUser, someUsers } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { authorized, problem, server, unauthorized } from "@/testing/server";

type UserPage = ResponseBody<"/api/v1/users", "get">;
type CreatedUser = ResponseBody<"/api/v1/users", "post">;

describe("Benutzer & Rollen", () => {
  it("shows loading, then the users, then the empty state for a search without hits", async () => {
    const queries: (string | null)[] = [];
    server.use(
      http.get("*/api/v1/users", async ({ request }) => {
        if (!authorized(request)) return unauthorized();
        const q = new URL(request.url).searchParams.get("q");
        queries.push(q);
        await delay(50);
        const items = q ? [] : someUsers();
        return HttpResponse.json<UserPage>({ items, next_cursor: null });
      }),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/benutzer", { signedIn: true });

    expect(await screen.findByRole("heading", { name: "Benutzer & Rollen" })).toBeInTheDocument();
    expect(screen.getByRole("status", { busy: true })).toHaveTextContent("Wird geladen");

    const table = await screen.findByRole("table");
    expect(within(table).getByRole("link", { name: "Eva Editorin" })).toBeInTheDocument();
    expect(within(table).getByText("Deaktiviert")).toBeInTheDocument();

    await user.type(screen.getByRole("searchbox", { name: "Suche nach Name oder E-Mail" }), "niemand");
    expect(await screen.findByText("Keine Benutzer gefunden.")).toBeInTheDocument();
    expect(queries).toContain("niemand");
  });

  it("loads the next page with 'Mehr laden'", async () => {
    server.use(
      http.get("*/api/v1/users", ({ request }) => {
        if (!authorized(request)) return unauthorized();
        const cursor = new URL(request.url).searchParams.get("cursor");
        return HttpResponse.json<UserPage>(
          cursor === "page-2"
            ? { items: [makeUser({ id: "00000000-0000-4000-8000-000000000999", full_name: "Zoe Zweiteseite" })], next_cursor: null }
            : { items: someUsers(), next_cursor: "page-2" },
        );
      }),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/benutzer", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Mehr laden" }));
    expect(await screen.findByRole("link", { name: "Zoe Zweiteseite" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Mehr laden" })).not.toBeInTheDocument();
  });

  it("shows the 422 field error next to the e-mail field", async () => {
    server.use(
      http.post("*/api/v1/users", () =>
        problem(422, "Unprocessable Content", {
          detail: "Die Eingabe ist ungültig.",
          errors: [{ field: "body.email", message: "Keine gültige E-Mail-Adresse.", type: "value_error" }],
        }),
      ),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/benutzer", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Benutzer anlegen" }));
    const dialog = screen.getByRole("dialog", { name: "Benutzer anlegen" });
    await user.type(within(dialog).getByLabelText("Name"), "Neue Person");
    await user.type(within(dialog).getByLabelText("E-Mail"), "neu@klinikum.example");
    await user.click(within(dialog).getByRole("button", { name: "Benutzer anlegen" }));

    const email = within(dialog).getByLabelText("E-Mail");
    await screen.findByText("Keine gültige E-Mail-Adresse.");
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(email).toHaveAccessibleDescription("Keine gültige E-Mail-Adresse.");
    expect(within(dialog).getByLabelText("Name")).not.toHaveAttribute("aria-invalid");
  });

  it("shows the password-setup link once after creating a user", async () => {
    server.use(
      http.post("*/api/v1/users", async ({ request }) => {
        const body = (await request.json()) as { email: string; full_name: string };
        return HttpResponse.json<CreatedUser>(
          {
            ...makeUser({ id: "00000000-0000-4000-8000-000000000555", email: body.email, full_name: body.full_name }),
            password_setup: {
              token: "setup-token",
              url: "/passwort-zuruecksetzen?token=setup-token",
              expires_at: "2026-11-27T09:00:00Z",
            },
          },
          { status: 201 },
        );
      }),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/benutzer", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Benutzer anlegen" }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Name"), "Neue Person");
    await user.type(within(dialog).getByLabelText("E-Mail"), "neu@klinikum.example");
    await user.click(within(dialog).getByRole("button", { name: "Benutzer anlegen" }));

    const link = await within(dialog).findByRole("textbox", { name: "Link zum Festlegen des Passworts" });
    expect(link).toHaveValue("http://localhost:3000/passwort-zuruecksetzen?token=setup-token");
    expect(within(dialog).getByRole("button", { name: "Kopieren" })).toBeInTheDocument();
    expect(await screen.findByText("Benutzer Neue Person wurde angelegt.")).toBeInTheDocument();

    await user.click(within(dialog).getAllByRole("button", { name: "Schließen" }).at(-1) as HTMLElement);
    expect(screen.queryByDisplayValue(/setup-token/)).not.toBeInTheDocument();
  });

  it("tells a user without users.manage that the page is not for them", async () => {
    const { moderatorMe } = await import("@/testing/fixtures");
    const { backend } = await import("@/testing/server");
    backend.me = moderatorMe();
    renderApp("/einstellungen/benutzer", { signedIn: true });
    expect(await screen.findByText("Für diese Seite fehlt Ihnen die Berechtigung.")).toBeInTheDocument();
  });
});
