import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { getAccessToken } from "@/lib/auth/token-store";
import { moderatorMe } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend } from "@/testing/server";

describe("app frame", () => {
  it("switches the language from the user menu and remembers only the language", async () => {
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    await screen.findByRole("heading", { name: "Willkommen, Anna Admin" });

    const menuButton = screen.getByRole("button", { name: /Benutzermenü/ });
    expect(menuButton).toHaveAttribute("aria-expanded", "false");
    await user.click(menuButton);
    expect(menuButton).toHaveAttribute("aria-expanded", "true");
    const panel = document.getElementById(menuButton.getAttribute("aria-controls") ?? "");
    expect(panel).not.toBeNull();
    expect(panel).toBeVisible();
    expect(within(panel as HTMLElement).getByText("Administration")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "English" }));

    expect(await screen.findByRole("heading", { name: "Welcome, Anna Admin" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Settings" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "English" })).toHaveAttribute("aria-pressed", "true");
    expect(document.documentElement.lang).toBe("en");
    expect(localStorage.getItem("klinikfunk.lang")).toBe("en");

    await user.click(screen.getByRole("button", { name: "Deutsch" }));
    expect(await screen.findByRole("heading", { name: "Willkommen, Anna Admin" })).toBeInTheDocument();
    expect(document.documentElement.lang).toBe("de");
  });

  it("shows the admin sections to an admin", async () => {
    renderApp("/", { signedIn: true });
    const nav = await screen.findByRole("navigation", { name: "Hauptnavigation" });
    expect(await within(nav).findByRole("link", { name: "Benutzer & Rollen" })).toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Standorte" })).toBeInTheDocument();
    expect(within(nav).getByRole("link", { name: "Audit-Log" })).toBeInTheDocument();
  });

  it("hides sections the user has no permission for (a moderator sees no settings)", async () => {
    backend.me = moderatorMe();
    renderApp("/", { signedIn: true });
    await screen.findByRole("heading", { name: "Willkommen, Max Moderator" });
    const nav = screen.getByRole("navigation", { name: "Hauptnavigation" });
    expect(within(nav).getByRole("link", { name: "Übersicht" })).toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Benutzer & Rollen" })).not.toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Einstellungen" })).not.toBeInTheDocument();
    expect(within(nav).queryByRole("link", { name: "Audit-Log" })).not.toBeInTheDocument();
    // Sections without content yet are never shown.
    expect(within(nav).queryByRole("link", { name: "Posteingang" })).not.toBeInTheDocument();
  });

  it("has a menu button that controls the navigation", async () => {
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    const button = await screen.findByRole("button", { name: "Menü" });
    const nav = screen.getByRole("navigation", { name: "Hauptnavigation" });
    expect(button).toHaveAttribute("aria-controls", nav.id);
    expect(button).toHaveAttribute("aria-expanded", "false");
    await user.click(button);
    expect(button).toHaveAttribute("aria-expanded", "true");
    expect(nav).toHaveClass("main-nav--open");
    await user.click(within(nav).getByRole("link", { name: "Einstellungen" }));
    expect(await screen.findByRole("heading", { name: "Einstellungen" })).toBeInTheDocument();
    expect(button).toHaveAttribute("aria-expanded", "false");
  });

  it("signs out: calls the API, forgets the token and shows the login", async () => {
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });
    await screen.findByRole("heading", { name: "Willkommen, Anna Admin" });
    await user.click(screen.getByRole("button", { name: /Benutzermenü/ }));
    await user.click(screen.getByRole("button", { name: "Abmelden" }));
    expect(await screen.findByRole("heading", { name: "Anmelden" })).toBeInTheDocument();
    expect(backend.calls.logout).toBe(1);
    expect(getAccessToken()).toBeNull();
  });

  it("puts an unknown address's message in a main landmark", async () => {
    renderApp("/gibt-es-nicht", { signedIn: true });
    const main = await screen.findByRole("main");
    expect(within(main).getByRole("heading", { level: 1, name: "Diese Seite gibt es nicht." })).toBeInTheDocument();
    expect(within(main).getByRole("link", { name: "Zur Übersicht" })).toHaveAttribute("href", "/");
  });
});
