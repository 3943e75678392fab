import { expect, test } from "@playwright/test";
import { expectAppFrame, login, mainNav } from "../support/app";
import { ADMIN, DEMO_PASSWORD, EDITOR, MODERATOR } from "../support/env";

test("admin signs in and sees the demo users in the user administration", async ({ page }, testInfo) => {
  await login(page, ADMIN);
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { level: 1, name: "Willkommen, Sabine Kramer" })).toBeVisible();

  const nav = mainNav(page);
  await expect(nav.getByRole("link", { name: "Einstellungen" })).toBeVisible();
  await nav.getByRole("link", { name: "Benutzer & Rollen" }).click();

  await expect(page).toHaveURL(/\/einstellungen\/benutzer$/);
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();
  const table = page.getByRole("table");
  await expect(table.getByRole("cell", { name: EDITOR, exact: true })).toBeVisible();
  await expect(table.getByRole("cell", { name: MODERATOR, exact: true })).toBeVisible();
  await expect(table.getByRole("link", { name: "Jonas Becker" })).toBeVisible();

  await page.screenshot({ path: testInfo.outputPath("benutzerverwaltung.png"), fullPage: true });
});

test("a wrong password shows a German error and keeps the login page", async ({ page }, testInfo) => {
  await page.goto("/login");
  await page.getByLabel("E-Mail").fill(ADMIN);
  await page.getByLabel("Passwort").fill("falsches-Passwort-123");
  await page.getByRole("button", { name: "Anmelden" }).click();

  await expect(page.getByRole("alert")).toContainText("E-Mail-Adresse oder Passwort ist falsch.");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("navigation", { name: "Hauptnavigation" })).toHaveCount(0);

  await page.screenshot({ path: testInfo.outputPath("falsches-passwort.png"), fullPage: true });
});

test("an unauthenticated visit to a protected page leads to the login and back", async ({ page }) => {
  await page.goto("/einstellungen/benutzer");
  await expect(page).toHaveURL(/\/login\?redirect=/);
  await page.getByLabel("E-Mail").fill(ADMIN);
  await page.getByLabel("Passwort").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await expect(page).toHaveURL(/\/einstellungen\/benutzer$/);
  await expectAppFrame(page);
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();
});
