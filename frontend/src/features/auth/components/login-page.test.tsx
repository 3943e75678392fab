import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { renderApp } from "@/testing/render-app";
import { backend, problem, server } from "@/testing/server";

async function signIn(password = "richtig-geheim") {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("E-Mail"), "anna.admin@klinikum.example");
  await user.type(screen.getByLabelText("Passwort"), password);
  await user.click(screen.getByRole("button", { name: "Anmelden" }));
  return user;
}

describe("login", () => {
  it("redirects an anonymous visitor to the login page", async () => {
    const { router } = renderApp("/einstellungen");
    expect(await screen.findByRole("heading", { name: "Anmelden" })).toBeInTheDocument();
    expect(screen.getByText("Klinikfunk")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(document.documentElement.lang).toBe("de");
  });

  it("signs in and shows the app frame with the welcome page", async () => {
    renderApp("/");
    await signIn();
    expect(await screen.findByRole("heading", { name: "Willkommen, Anna Admin" })).toBeInTheDocument();
    expect(screen.getByRole("banner")).toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Hauptnavigation" });
    expect(within(nav).getByRole("link", { name: "Einstellungen" })).toBeInTheDocument();
    expect(screen.getByRole("main")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Zum Inhalt springen" })).toHaveAttribute("href", "#main");
    // the roles per scope come from /me
    expect(screen.getByRole("cell", { name: "Administration" })).toBeInTheDocument();
    expect(screen.getByRole("cell", { name: "Organisation: Klinikverbund Nord" })).toBeInTheDocument();
  });

  it("returns to the page that asked for the login", async () => {
    const { router } = renderApp("/einstellungen");
    await signIn();
    expect(await screen.findByRole("heading", { name: "Einstellungen" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/einstellungen");
  });

  it("shows a German error for a wrong password and stays on the page", async () => {
    renderApp("/login");
    await signIn("falsch");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("E-Mail-Adresse oder Passwort ist falsch.");
    expect(screen.getByRole("button", { name: "Anmelden" })).toBeEnabled();
  });

  it("shows the lockout detail and how many minutes to wait", async () => {
    server.use(
      http.post("*/api/v1/auth/login", () =>
        problem(429, "Too Many Requests", { detail: "Konto vorübergehend gesperrt." }, { "Retry-After": "540" }),
      ),
    );
    renderApp("/login");
    await signIn();
    const alert = await screen.findByRole("alert");
    await within(alert).findByText(/Bitte warten Sie 9 Minuten/);
    expect(alert).toHaveTextContent("Konto vorübergehend gesperrt.");
  });

  it("restores the session from the refresh cookie on start", async () => {
    backend.refreshCookie = true;
    renderApp("/");
    expect(await screen.findByRole("heading", { name: "Willkommen, Anna Admin" })).toBeInTheDocument();
    expect(backend.calls.refresh).toBe(1);
  });

  it("never writes a token to localStorage or sessionStorage", async () => {
    const setItem = vi.spyOn(Storage.prototype, "setItem");
    backend.refreshCookie = false;
    renderApp("/");
    await signIn();
    await screen.findByRole("heading", { name: "Willkommen, Anna Admin" });
    const token = backend.token;
    expect(token).toMatch(/^token-/);
    for (const [key, value] of setItem.mock.calls) {
      expect(key).toBe("klinikfunk.lang");
      expect(value).not.toContain(token);
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i += 1) {
        const key = storage.key(i) ?? "";
        expect(storage.getItem(key) ?? "").not.toContain("token");
      }
    }
  });
});
