import { expect, test } from "@playwright/test";
import { expectAppFrame, login } from "../support/app";
import { ADMIN } from "../support/env";

test("no token in web storage; the refresh cookie is httpOnly", async ({ page, context }) => {
  await login(page, ADMIN);

  const storage = await page.evaluate(() => {
    const dump = (store: Storage) =>
      Array.from({ length: store.length }, (_, i) => {
        const key = store.key(i) ?? "";
        return { key, value: store.getItem(key) ?? "" };
      });
    return { local: dump(window.localStorage), session: dump(window.sessionStorage), cookie: document.cookie };
  });
  const entries = [...storage.local, ...storage.session];
  for (const { key, value } of entries) {
    expect(`${key}=${value}`).not.toMatch(/token|eyJ[\w-]+\.[\w-]+/i);
  }
  // Only the language preference may ever be kept in web storage.
  expect(entries.map((entry) => entry.key).filter((key) => key !== "klinikfunk.lang")).toEqual([]);
  expect(storage.cookie).not.toContain("klinikfunk_refresh");

  const cookies = await context.cookies();
  const refresh = cookies.find((cookie) => cookie.name.endsWith("klinikfunk_refresh"));
  expect(refresh, `cookies: ${cookies.map((c) => c.name).join(", ")}`).toBeDefined();
  expect(refresh!.name).toBe("__Host-klinikfunk_refresh");
  expect(refresh!.httpOnly).toBe(true);
  expect(refresh!.secure).toBe(true);
  expect(refresh!.sameSite).toBe("Strict");
  expect(refresh!.path).toBe("/");
});

test("a reload keeps the session through the refresh cookie", async ({ page }) => {
  await login(page, ADMIN);
  await page.goto("/einstellungen/benutzer");
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();

  const refreshed = page.waitForResponse(
    (response) => response.url().endsWith("/api/v1/auth/refresh") && response.request().method() === "POST",
  );
  await page.reload();
  expect((await refreshed).status()).toBe(200);
  await expect(page).toHaveURL(/\/einstellungen\/benutzer$/);
  await expectAppFrame(page);
  await expect(page.getByRole("heading", { level: 1, name: "Benutzer & Rollen" })).toBeVisible();
});

test("signing out ends the session", async ({ page, context }) => {
  await login(page, ADMIN);
  await page.getByRole("button", { name: /Benutzermenü/ }).click();
  await page.getByRole("button", { name: "Abmelden" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Anmelden" })).toBeVisible();
  expect((await context.cookies()).filter((cookie) => cookie.name.endsWith("klinikfunk_refresh"))).toEqual([]);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Anmelden" })).toBeVisible();
});
