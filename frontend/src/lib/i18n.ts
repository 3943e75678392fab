import i18n from "i18next";
import { initReactI18next } from "react-i18next";
import de from "@/locales/de";
import en from "@/locales/en";

export const LANGUAGE_STORAGE_KEY = "klinikfunk.lang";
export const LANGUAGES = ["de", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof de };
  }
}

/** The stored account locale as a UI language ("de" unless it is exactly "en"). */
export function asLanguage(value: string | null | undefined): Language {
  return value === "en" ? "en" : "de";
}

function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored language preference (never anything else is kept in web storage). */
export function storedLanguage(): Language | null {
  try {
    const value = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : null;
  } catch {
    return null;
  }
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : "de";
}

/** Switch the UI language; `persist` remembers the choice for the next visit. */
export async function setLanguage(language: Language, persist = true): Promise<void> {
  if (persist) {
    try {
      globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, language);
    } catch {
      // Storage may be disabled; the switch still applies to this visit.
    }
  }
  await i18n.changeLanguage(language);
}

i18n.on("languageChanged", (language) => {
  if (typeof document !== "undefined") document.documentElement.lang = language;
});

void i18n.use(initReactI18next).init({
  resources: { de: { translation: de }, en: { translation: en } },
  lng: storedLanguage() ?? "de",
  fallbackLng: "de",
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  initAsync: false,
});

if (typeof document !== "undefined") document.documentElement.lang = i18n.language;

export default i18n;
