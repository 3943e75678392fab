import { expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD } from "./env";

/** Sign in through the real login page and wait for the signed-in app frame. */
export async function login(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await expect(page.getByRole("heading", { name: "Anmelden" })).toBeVisible();
  await page.getByLabel("E-Mail").fill(email);
  await page.getByLabel("Passwort").fill(password);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await expectAppFrame(page);
}

/** The signed-in frame: header with the main navigation, in German unless switched. */
export async function expectAppFrame(page: Page): Promise<void> {
  await expect(page.getByRole("link", { name: "Klinikfunk" })).toBeVisible();
  await expect(page.getByRole("main")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

export function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Hauptnavigation" });
}
