import { currentLanguage } from "@/lib/i18n";

const LOCALES = { de: "de-DE", en: "en-GB" } as const;

/** Date and time in the UI language, in the browser's time zone (or `timeZone`). */
export function formatDateTime(iso: string, timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[currentLanguage()], {
    dateStyle: "medium",
    timeStyle: "medium",
    ...(timeZone ? { timeZone } : {}),
  }).format(date);
}

/** IANA time zones known to the browser, with a short fallback list for old engines. */
export function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: "timeZone") => string[] };
  const zones = intl.supportedValuesOf?.("timeZone") ?? [];
  const fallback = ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "Europe/London", "UTC"];
  return zones.length > 0 ? [...new Set(["Europe/Berlin", ...zones])] : fallback;
}
