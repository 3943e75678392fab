import { expect, test } from "@playwright/test";
import { login, mainNav } from "../support/app";
import { localIn } from "../support/time";
import { DOMAIN, EDITOR } from "../support/env";

const COMMS_LEAD = `kommunikation@${DOMAIN}`;

// A valid 1×1 PNG; the backend decodes and re-encodes every upload.
const PNG_1X1 = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

// The composer counts per platform, the draft is saved for real, and the calendar is checked.
test("the editor writes a post with live counters and reaches the calendar at phone width", async ({ page }, testInfo) => {
  await login(page, EDITOR);

  await mainNav(page).getByRole("link", { name: "Beiträge" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Beiträge" })).toBeVisible();
  await page.getByRole("link", { name: "Neuer Beitrag" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Neuer Beitrag" })).toBeVisible();

  await page.getByLabel("Interner Titel").fill("Grippeimpfung für Mitarbeitende");
  await page.getByLabel("Kategorie").selectOption({ label: "Gesundheitstipp" });
  const clinic = page.getByLabel("Klinik");
  if ((await clinic.inputValue()) === "") await clinic.selectOption({ index: 1 });
  const text = "Ab Montag impfen wir im Foyer. Kommen Sie vorbei!";
  await page.getByLabel("Text", { exact: true }).fill(text);

  // The backend counts in each platform's own unit; no channel chosen yet: one counter per platform.
  const bluesky = page.getByTestId("counter-bluesky");
  await expect(bluesky.getByText(`${text.length} / 300`)).toBeVisible();
  await expect(page.getByTestId("counter-mastodon").getByText(`${text.length} / 500`)).toBeVisible();

  await page.getByLabel("Text", { exact: true }).fill("x".repeat(301));
  await expect(bluesky.getByText("301 / 300")).toBeVisible();
  await expect(bluesky.locator(".counter--over")).toHaveCSS("color", "rgb(164, 38, 44)");
  await expect(bluesky.getByText("Der Text ist für Bluesky zu lang: 301 von höchstens 300 Zeichen.")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("composer-zaehler.png"), fullPage: true });

  await page.getByLabel("Text", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Als Entwurf speichern" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Grippeimpfung für Mitarbeitende" })).toBeVisible();
  await expect(page.getByText("Entwurf", { exact: true })).toBeVisible();

  await page.setViewportSize({ width: 375, height: 812 });
  const menu = page.getByRole("button", { name: "Menü", exact: true });
  await menu.click();
  await mainNav(page).getByRole("link", { name: "Kalender" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Kalender" })).toBeVisible();
  await expect(page.getByRole("table")).toHaveCount(0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: testInfo.outputPath("kalender-mobil.png"), fullPage: true });
});

// The whole path through the real app: the editor writes a post with an image and alt text for
// Klinikum Musterstadt's Mastodon channel and submits it, the communications lead approves it from
// the Freigaben queue, the
// editor schedules it for the next minutes, the embedded worker publishes it to the sandbox, and
// the post's page links to the live post.
test("a post with an image is approved, scheduled and published to the sandbox Mastodon", async ({ page }, testInfo) => {
  test.setTimeout(240_000);
  const title = `Tag der offenen Tür ${Date.now()}`;
  const text = `Am Samstag öffnen wir unsere Türen – Führungen ab 10 Uhr. (${Date.now()})`;

  await login(page, EDITOR);
  await page.goto("/beitraege/neu");
  await expect(page.getByRole("heading", { level: 1, name: "Neuer Beitrag" })).toBeVisible();
  await page.getByLabel("Interner Titel").fill(title);
  await page.getByLabel("Klinik").selectOption({ label: "Klinikum Musterstadt" });
  await page.getByLabel("Kategorie").selectOption({ label: "Veranstaltung" });
  await page.getByLabel("Text", { exact: true }).fill(text);

  await page.getByLabel("Bilder hinzufügen").setInputFiles({ name: "foyer.png", mimeType: "image/png", buffer: PNG_1X1 });
  await expect(page.getByText("Bild 1: foyer.png")).toBeVisible();
  // The thumbnail comes from the authenticated content endpoint as a blob URL.
  await expect(page.locator("img.media-thumb")).toHaveAttribute("src", /^blob:/);
  await page.getByLabel("Alternativtext (für Screenreader)").fill("Das Foyer des Klinikums mit Empfangstresen");
  await page.getByRole("checkbox", { name: "Klinikum Musterstadt (Mastodon)" }).check();
  await page.getByRole("button", { name: "Als Entwurf speichern" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByText("Alternativtext: Das Foyer des Klinikums mit Empfangstresen")).toBeVisible();
  const postUrl = new URL(page.url()).pathname;
  await page.getByRole("button", { name: "Zur Prüfung einreichen" }).click();
  await expect(page.getByText("In Prüfung", { exact: true })).toBeVisible();

  // Four eyes: an event needs the communications lead (the default policy). The post waits in
  // the lead's Freigaben queue; the review screen shows the post and the decision form.
  await page.context().clearCookies();
  await login(page, COMMS_LEAD);
  await page.goto("/freigaben");
  await expect(page.getByRole("heading", { level: 1, name: "Freigaben" })).toBeVisible();
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(text).first()).toBeVisible();
  await page.getByRole("button", { name: "Freigeben", exact: true }).click();
  await expect(page.getByText("Freigegeben", { exact: true }).first()).toBeVisible();

  // The editor schedules it for the next possible minute in the clinic's time zone.
  await page.context().clearCookies();
  await login(page, EDITOR);
  await page.goto(postUrl);
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const hint = await page.getByText(/Uhrzeit in der Zeitzone der Klinik/).textContent();
  const zone = /\(([^)]+)\)/.exec(hint ?? "")?.[1] ?? "Europe/Berlin";
  const seconds = new Date().getSeconds();
  const { date, time } = localIn(zone, seconds < 45 ? 1 : 2);
  await page.getByLabel("Datum", { exact: true }).fill(date);
  await page.getByLabel("Uhrzeit", { exact: true }).fill(time);
  await page.getByRole("button", { name: "Einplanen" }).click();
  await expect(page.getByText("Eingeplant", { exact: true }).first()).toBeVisible();

  // The embedded worker publishes when due; reload the post's page until the live link shows.
  const publication = page.locator(".publication").filter({ hasText: "Klinikum Musterstadt" }).filter({ hasText: "Mastodon" });
  const live = publication.getByRole("link", { name: /Beitrag live ansehen/ });
  const started = Date.now();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
    await expect(live).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  testInfo.annotations.push({ type: "published after", description: `${Math.round((Date.now() - started) / 1000)} s of polling` });
  await expect(publication.getByText("Veröffentlicht", { exact: true })).toBeVisible();
  await expect(live).toHaveText("Live ansehen");
  await page.screenshot({ path: testInfo.outputPath("beitrag-live.png"), fullPage: true });

  const href = await live.getAttribute("href");
  expect(href).toMatch(/\/sandbox\//);
  const [sandbox] = await Promise.all([page.context().waitForEvent("page"), live.click()]);
  await sandbox.waitForLoadState();
  await expect(sandbox.getByText(text)).toBeVisible();
  await sandbox.screenshot({ path: testInfo.outputPath("sandbox-beitrag.png"), fullPage: true });
});
