/** Absolute origin of the API: the SPA is served from the same origin (the Vite dev server proxies /api). */
export function apiBaseUrl(): string {
  return globalThis.location?.origin ?? "http://localhost";
}

export const CLIENT_HEADER = "X-Klinikfunk-Client";
export const CLIENT_NAME = "web";
