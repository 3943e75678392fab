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

/** A calendar day ("YYYY-MM-DD") in the UI language, e.g. "Fr., 20. Nov. 2026". */
export function formatDay(day: string, options: Intl.DateTimeFormatOptions = { weekday: "short", day: "numeric", month: "short", year: "numeric" }): string {
  const [y, m, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
  return new Intl.DateTimeFormat(LOCALES[currentLanguage()], { ...options, timeZone: "UTC" }).format(date);
}

/** A wall-clock value ("YYYY-MM-DDTHH:MM[:SS]", no zone) as date and time in the UI language. */
export function formatLocal(local: string): string {
  return `${formatDay(local.slice(0, 10), { day: "2-digit", month: "2-digit", year: "numeric" })}, ${local.slice(11, 16)}`;
}
