import { expect, test } from "@playwright/test";
import { login, mainNav } from "../support/app";
import { ADMIN } from "../support/env";

test("switching the language to English changes the navigation", async ({ page }) => {
  await login(page, ADMIN);
  const nav = mainNav(page);
  await expect(nav.getByRole("link", { name: "Einstellungen" })).toBeVisible();

  await page.getByRole("button", { name: /Benutzermenü/ }).click();
  await page.getByRole("group", { name: "Sprache" }).getByRole("button", { name: "English" }).click();

  const navEn = page.getByRole("navigation", { name: "Main navigation" });
  await expect(navEn.getByRole("link", { name: "Settings" })).toBeVisible();
  await expect(navEn.getByRole("link", { name: "Users & roles" })).toBeVisible();
  await expect(navEn.getByRole("link", { name: "Einstellungen" })).toHaveCount(0);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  // The choice is remembered across a reload.
  await page.reload();
  await expect(navEn.getByRole("link", { name: "Settings" })).toBeVisible();
});
