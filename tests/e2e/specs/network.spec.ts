import { expect, test } from "@playwright/test";
import { login, mainNav } from "../support/app";
import { ADMIN } from "../support/env";

test("the app only talks to its own origin", async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  const requests: string[] = [];
  page.on("request", (request) => requests.push(request.url()));

  await login(page, ADMIN);
  await mainNav(page).getByRole("link", { name: "Benutzer & Rollen" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();
  await mainNav(page).getByRole("link", { name: "Standorte" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Standorte" })).toBeVisible();
  await mainNav(page).getByRole("link", { name: "Audit-Log" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Audit-Log" })).toBeVisible();
  await page.waitForLoadState("networkidle");

  // The page, its scripts and styles, and API calls were all seen.
  expect(requests.some((url) => url.includes("/assets/"))).toBe(true);
  expect(requests.some((url) => url.includes("/api/v1/"))).toBe(true);
  const foreign = requests.filter((url) => !url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin);
  expect(foreign).toEqual([]);
});
