import { expect, test } from "@playwright/test";
import { login, mainNav } from "../support/app";
import { MODERATOR } from "../support/env";

test("the moderator does not get the user administration", async ({ page }) => {
  await login(page, MODERATOR);
  await expect(page.getByRole("heading", { level: 1, name: "Willkommen, Tim Schulz" })).toBeVisible();

  const nav = mainNav(page);
  await expect(nav.getByRole("link", { name: "Übersicht" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Benutzer & Rollen" })).toHaveCount(0);

  // Typing the address does not open it either.
  await page.goto("/einstellungen/benutzer");
  await expect(page.getByText("Für diese Seite fehlt Ihnen die Berechtigung.")).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
});
