import { expect, test, type Page } from "@playwright/test";
import { expectNoA11yViolations } from "../support/axe";
import { login, mainNav } from "../support/app";
import { ADMIN, DEMO_PASSWORD, DOMAIN } from "../support/env";

/** Wait until the page shows its heading and no loading indicator is left. */
async function settled(page: Page, heading: string | RegExp): Promise<void> {
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expect(page.locator(".feedback--loading")).toHaveCount(0);
}

test.describe("axe (WCAG 2 A/AA) at desktop width", () => {
  test("the login page", async ({ page }) => {
    await page.goto("/login");
    await settled(page, "Anmelden");
    await expectNoA11yViolations(page, "Anmelden");
  });

  test("the password reset page", async ({ page }) => {
    await page.goto("/passwort-zuruecksetzen?token=ungueltiger-test-token");
    await settled(page, "Neues Passwort festlegen");
    await expectNoA11yViolations(page, "Passwort zurücksetzen");
  });

  test("the signed-in pages of the admin", async ({ page }, testInfo) => {
    // A failed attempt first, so the audit log has more than the demo seed and this sign-in.
    await page.goto("/login");
    await page.getByLabel("E-Mail").fill(ADMIN);
    await page.getByLabel("Passwort").fill("falsches-Passwort-123");
    await page.getByRole("button", { name: "Anmelden" }).click();
    await expect(page.getByRole("alert")).toContainText("E-Mail-Adresse oder Passwort ist falsch.");
    await login(page, ADMIN);
    await settled(page, "Willkommen, Sabine Kramer");
    await expectNoA11yViolations(page, "Übersicht");

    const nav = mainNav(page);
    await nav.getByRole("link", { name: "Benutzer & Rollen" }).click();
    await settled(page, "Benutzer & Rollen");
    await expect(page.getByRole("table")).toBeVisible();
    await expectNoA11yViolations(page, "Benutzer & Rollen");

    await page.getByRole("table").getByRole("link", { name: "Jonas Becker" }).click();
    await settled(page, "Jonas Becker");
    await expect(page.getByRole("heading", { level: 2, name: "Rollenzuweisungen" })).toBeVisible();
    await expect(page.locator(".feedback--loading")).toHaveCount(0);
    await expectNoA11yViolations(page, "Benutzer (Detail)");

    await nav.getByRole("link", { name: "Standorte" }).click();
    await settled(page, "Standorte");
    await expect(page.getByRole("heading", { level: 2, name: "Kliniken" })).toBeVisible();
    await expect(page.locator(".feedback--loading")).toHaveCount(0);
    await expectNoA11yViolations(page, "Standorte");

    await nav.getByRole("link", { name: "Audit-Log" }).click();
    await settled(page, "Audit-Log");
    const table = page.getByRole("table");
    await expect(table).toBeVisible();
    // Readable actions and targets, with the raw code kept for experts.
    await expect(table.getByText("Anmeldung erfolgreich").first()).toBeVisible();
    await expect(table.locator("code", { hasText: "auth.login" }).first()).toBeVisible();
    await expect(table.getByText("auth.login", { exact: true }).first()).toBeVisible();
    await expect(page.getByLabel("Aktion")).toHaveJSProperty("tagName", "SELECT");
    await expect(page.getByLabel("Von")).toHaveAttribute("type", "date");
    await expect(page.getByLabel("Bis")).toHaveAttribute("type", "date");
    await expectNoA11yViolations(page, "Audit-Log");
    await page.screenshot({ path: testInfo.outputPath("audit-log.png"), fullPage: true });

    await expect(table.getByText("Anmeldung fehlgeschlagen").first()).toBeVisible();
    await expect(table.getByText("Demodaten angelegt")).toBeVisible();
    await expect(table.getByText("Organisation", { exact: true })).toBeVisible();

    await page.getByLabel("Aktion").selectOption({ label: "Anmeldung fehlgeschlagen" });
    await page.getByRole("button", { name: "Filtern" }).click();
    await expect(table.getByText("Anmeldung erfolgreich")).toHaveCount(0);
    await expect(table.getByText("auth.login_failed").first()).toBeVisible();
    await expectNoA11yViolations(page, "Audit-Log (gefiltert)");
    await page.screenshot({ path: testInfo.outputPath("audit-log-gefiltert.png"), fullPage: true });

    await page.getByRole("button", { name: /Benutzermenü/ }).click();
    await page.getByRole("link", { name: "Passwort ändern" }).click();
    await settled(page, "Mein Konto");
    await expectNoA11yViolations(page, "Mein Konto");
  });
});

// The publishing, approval, consent and crisis pages, each as the role that works with it.
const WORK_PAGES: { who: string; path: string; name: string }[] = [
  { who: `redaktion@${DOMAIN}`, path: "/beitraege", name: "Beiträge" },
  { who: `redaktion@${DOMAIN}`, path: "/beitraege/neu", name: "Neuer Beitrag" },
  { who: `redaktion@${DOMAIN}`, path: "/kalender", name: "Kalender" },
  { who: `kommunikation@${DOMAIN}`, path: "/freigaben", name: "Freigaben" },
  { who: `kommunikation@${DOMAIN}`, path: "/krisenmodus", name: "Krisenmodus" },
  { who: ADMIN, path: "/einstellungen/freigaberegeln", name: "Freigaberegeln" },
  { who: ADMIN, path: "/einstellungen/kanaele", name: "Kanäle" },
  { who: `datenschutz@${DOMAIN}`, path: "/einwilligungen", name: "Einwilligungen" },
  { who: `datenschutz@${DOMAIN}`, path: "/einwilligungen/neu", name: "Einwilligung (neu)" },
];

for (const width of [1280, 375]) {
  test(`axe on the work pages at ${width} px`, async ({ page }, testInfo) => {
    await page.setViewportSize({ width, height: 900 });
    let current = "";
    for (const { who, path, name } of WORK_PAGES) {
      if (who !== current) {
        await page.context().clearCookies();
        await login(page, who);
        current = who;
      }
      await page.goto(path);
      await settled(page, /./);
      if (path === "/beitraege/neu") {
        // With live compliance findings highlighted in the text.
        await page.getByLabel("Text", { exact: true }).fill("Gute Besserung an Frau Yilmaz auf Station 3!");
        await expect(page.locator("mark.finding-mark--block").first()).toBeVisible({ timeout: 15_000 });
      }
      if (path === "/einwilligungen") {
        // The consent's detail with its posts and takedown status.
        await expectNoA11yViolations(page, `${name} (${width} px)`);
        await page.getByRole("link", { name: /Patient R\., Kardiologie 2026/ }).first().click();
        await settled(page, /Patient R\./);
        await expectNoA11yViolations(page, `Einwilligung (Detail, ${width} px)`);
        continue;
      }
      await expectNoA11yViolations(page, `${name} (${width} px)`);
      await page.screenshot({ path: testInfo.outputPath(`${path.replaceAll("/", "_")}-${width}.png`), fullPage: true });
    }
  });
}

test.describe("axe (WCAG 2 A/AA) at 375 px", () => {
  test.use({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });

  test("the login page and the overview", async ({ page }) => {
    await page.goto("/login");
    await settled(page, "Anmelden");
    await expectNoA11yViolations(page, "Anmelden (375 px)");

    await login(page, ADMIN);
    await settled(page, "Willkommen, Sabine Kramer");
    await expectNoA11yViolations(page, "Übersicht (375 px)");

    await page.getByRole("button", { name: "Menü", exact: true }).click();
    await expect(mainNav(page).getByRole("link", { name: "Benutzer & Rollen" })).toBeVisible();
    await expectNoA11yViolations(page, "Übersicht mit offenem Menü (375 px)");
  });
});

test("keyboard only: sign in with Tab and Enter, then skip to the content", async ({ page }) => {
  await page.goto("/login");
  await settled(page, "Anmelden");

  await page.keyboard.press("Tab");
  await expect(page.getByLabel("E-Mail")).toBeFocused();
  await page.keyboard.type(ADMIN);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Passwort")).toBeFocused();
  await page.keyboard.type(DEMO_PASSWORD);
  await page.keyboard.press("Enter");
  await settled(page, "Willkommen, Sabine Kramer");

  const skip = page.getByRole("link", { name: "Zum Inhalt springen" });
  await page.keyboard.press("Tab");
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("main")).toBeFocused();
  await expect(page.getByRole("main")).toHaveAttribute("id", "main");
});
