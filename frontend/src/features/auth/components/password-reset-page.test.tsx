import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { renderApp } from "@/testing/render-app";
import { problem, server } from "@/testing/server";

describe("Passwort zurücksetzen", () => {
  it("checks the repeat locally, sends the token and links to the login", async () => {
    let sent: unknown = null;
    server.use(
      http.post("*/api/v1/auth/password-reset", async ({ request }) => {
        sent = await request.json();
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderApp("/passwort-zuruecksetzen?token=abc123");
    await user.type(await screen.findByLabelText("Neues Passwort"), "sehr-langes-passwort");
    await user.type(screen.getByLabelText("Passwort wiederholen"), "anderes-passwort");
    await user.click(screen.getByRole("button", { name: "Passwort speichern" }));
    expect(screen.getByLabelText("Passwort wiederholen")).toHaveAccessibleDescription("Die Passwörter stimmen nicht überein.");
    expect(sent).toBeNull();

    await user.clear(screen.getByLabelText("Passwort wiederholen"));
    await user.type(screen.getByLabelText("Passwort wiederholen"), "sehr-langes-passwort");
    await user.click(screen.getByRole("button", { name: "Passwort speichern" }));
    expect(await screen.findByText("Ihr Passwort wurde gespeichert.")).toBeInTheDocument();
    expect(sent).toEqual({ token: "abc123", new_password: "sehr-langes-passwort" });
    expect(screen.getByRole("link", { name: "Zur Anmeldung" })).toHaveAttribute("href", "/login");
  });

  it("shows the server's verdict on a common password beside the field", async () => {
    server.use(
      http.post("*/api/v1/auth/password-reset", () =>
        problem(422, "Unprocessable Content", {
          detail: "Ungültig.",
          errors: [{ field: "body.new_password", message: "Dieses Passwort ist zu verbreitet.", type: "value_error" }],
        }),
      ),
    );
    const user = userEvent.setup();
    renderApp("/passwort-zuruecksetzen?token=abc123");
    await user.type(await screen.findByLabelText("Neues Passwort"), "password123");
    await user.type(screen.getByLabelText("Passwort wiederholen"), "password123");
    await user.click(screen.getByRole("button", { name: "Passwort speichern" }));
    await screen.findByText("Dieses Passwort ist zu verbreitet.");
    expect(screen.getByLabelText("Neues Passwort")).toHaveAccessibleDescription("Dieses Passwort ist zu verbreitet.");
  });
});
