import { expect, test } from "@playwright/test";
import { login, mainNav } from "../support/app";
import { ADMIN, EDITOR } from "../support/env";

test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

test("at phone width the navigation opens from the menu button", async ({ page }, testInfo) => {
  await login(page, ADMIN);

  const nav = mainNav(page);
  const menu = page.getByRole("button", { name: "Menü", exact: true });
  await expect(menu).toBeVisible();
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(nav.getByRole("link", { name: "Benutzer & Rollen" })).toBeHidden();

  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(nav.getByRole("link", { name: "Benutzer & Rollen" })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("mobil-menue.png") });

  await nav.getByRole("link", { name: "Benutzer & Rollen" }).click();
  await expect(page).toHaveURL(/\/einstellungen\/benutzer$/);
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();
  // Following a link closes the menu again.
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(page.getByText(EDITOR, { exact: true })).toBeVisible();

  // Nothing is wider than the phone.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);

  await page.screenshot({ path: testInfo.outputPath("mobil-benutzerverwaltung.png"), fullPage: true });
});
