import { expect, type Page, test } from "@playwright/test";
import { login } from "../support/app";
import { DOMAIN, EDITOR } from "../support/env";
import { localIn } from "../support/time";

const MEDICAL = `arzt@${DOMAIN}`;
const PRIVACY = `datenschutz@${DOMAIN}`;

async function signInAs(page: Page, email: string): Promise<void> {
  await page.context().clearCookies();
  await login(page, email);
}

/** The reviewer opens the post from their Freigaben queue and approves their step. */
async function approveFromQueue(page: Page, email: string, title: string): Promise<void> {
  await signInAs(page, email);
  await page.goto("/freigaben");
  await expect(page.getByRole("heading", { level: 1, name: "Freigaben" })).toBeVisible();
  await page.getByRole("link", { name: title }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Compliance-Befunde" })).toBeVisible();
  await page.getByRole("button", { name: "Freigeben", exact: true }).click();
  await expect(page.getByText("Freigegeben.")).toBeVisible();
}

// Issue 4's path through the real app: a patient story is checked while it is written, cannot
// be submitted without a consent, goes through medical and then privacy review once the consent
// is linked, and the worker publishes it to the sandbox.
test("a patient story needs a consent, then medical and privacy approval, then it is published", async ({ page }, testInfo) => {
  test.setTimeout(300_000);
  const stamp = Date.now();
  const title = `Patientengeschichte ${stamp}`;
  const text = `Zurück im Alltag: Eine Patientin erzählt, wie ihr die Reha nach der Knie-OP geholfen hat. (${stamp})`;

  await login(page, EDITOR);
  await page.goto("/beitraege/neu");
  await expect(page.getByRole("heading", { level: 1, name: "Neuer Beitrag" })).toBeVisible();
  await page.getByLabel("Interner Titel").fill(title);
  await page.getByLabel("Klinik").selectOption({ label: "Klinikum Musterstadt" });
  await page.getByLabel("Kategorie").selectOption({ label: "Patientengeschichte" });

  // Checked while typing: a name with a ward is patient data and blocks, highlighted in the text.
  await page.getByLabel("Text", { exact: true }).fill("Gute Besserung an Frau Yilmaz auf Station 3!");
  const assist = page.locator(".compliance-assist");
  await expect(assist.locator("mark.finding-mark--block").first()).toBeVisible({ timeout: 15_000 });
  await expect(assist.getByText("Blockiert").first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("composer-befunde.png"), fullPage: true });

  await page.getByLabel("Text", { exact: true }).fill(text);
  await expect(assist.locator("mark.finding-mark--block")).toHaveCount(0, { timeout: 15_000 });
  await page.getByRole("checkbox", { name: "Klinikum Musterstadt (Mastodon)" }).check();
  await page.getByRole("button", { name: "Als Entwurf speichern" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
  const postUrl = new URL(page.url()).pathname;

  // Without a consent the submission is refused with a message that says why.
  await page.getByRole("button", { name: "Zur Prüfung einreichen" }).click();
  await expect(page.getByText(/blockiert die Einreichung/).first()).toBeVisible();
  await expect(page.getByText(/gültige Einwilligung nötig/).first()).toBeVisible();
  await expect(page.getByText("Entwurf", { exact: true })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("einreichen-blockiert.png"), fullPage: true });

  // The editor links the patient's consent (entered by the privacy officer) and submits again.
  const consents = page.getByRole("region", { name: "Einwilligungen" });
  await consents.getByRole("checkbox", { name: /Patient R\., Kardiologie 2026/ }).check();
  await consents.getByRole("button", { name: "Verknüpfung speichern" }).click();
  await expect(page.getByText("Die Einwilligungen wurden verknüpft.")).toBeVisible();
  await page.getByRole("button", { name: "Zur Prüfung einreichen" }).click();
  await expect(page.getByText("In Prüfung", { exact: true })).toBeVisible();

  // The default policy for patient stories: medical review, then privacy review.
  await approveFromQueue(page, MEDICAL, title);
  await signInAs(page, PRIVACY);
  await page.goto("/freigaben");
  await expect(page.getByRole("link", { name: title })).toBeVisible();
  await page.getByRole("link", { name: title }).click();
  await page.getByRole("button", { name: "Freigeben", exact: true }).click();
  await expect(page.getByText("Freigegeben.")).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath("datenschutz-freigabe.png"), fullPage: true });

  // The editor schedules it for the next minute; the embedded worker publishes it.
  await signInAs(page, EDITOR);
  await page.goto(postUrl);
  await expect(page.getByText("Freigegeben", { exact: true }).first()).toBeVisible();
  const hint = await page.getByText(/Uhrzeit in der Zeitzone der Klinik/).textContent();
  const zone = /\(([^)]+)\)/.exec(hint ?? "")?.[1] ?? "Europe/Berlin";
  const { date, time } = localIn(zone, new Date().getSeconds() < 45 ? 1 : 2);
  await page.getByLabel("Datum", { exact: true }).fill(date);
  await page.getByLabel("Uhrzeit", { exact: true }).fill(time);
  await page.getByRole("button", { name: "Einplanen" }).click();
  await expect(page.getByText("Eingeplant", { exact: true }).first()).toBeVisible();

  const live = page.locator(".publication").filter({ hasText: "Mastodon" }).getByRole("link", { name: /Beitrag live ansehen/ });
  await expect(async () => {
    await page.reload();
    await expect(live).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 150_000, intervals: [5_000] });
  await page.screenshot({ path: testInfo.outputPath("patientengeschichte-live.png"), fullPage: true });
});
