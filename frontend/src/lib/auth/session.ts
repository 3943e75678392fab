import { bareClient } from "@/lib/api/bare-client";
import { getAccessToken, setAccessToken } from "./token-store";

let refreshing: Promise<boolean> | null = null;
let initialAttempt: Promise<boolean> | null = null;
const expiredListeners = new Set<() => void>();

/**
 * Exchange the httpOnly refresh cookie for a new access token.
 * Concurrent callers share one request, so a burst of 401s triggers a single refresh.
 */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const { data } = await bareClient.POST("/api/v1/auth/refresh", { body: {} });
      setAccessToken(data?.access_token ?? null);
      return data !== undefined;
    } catch {
      setAccessToken(null);
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** True when a session exists; on first use tries to restore one from the refresh cookie. */
export async function ensureSession(): Promise<boolean> {
  if (getAccessToken() !== null) return true;
  initialAttempt ??= refreshAccessToken();
  await initialAttempt;
  return getAccessToken() !== null;
}

/** Drop the session after the server refused to renew it, and tell the app to show the login. */
export function expireSession(): void {
  setAccessToken(null);
  for (const listener of expiredListeners) listener();
}

export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => expiredListeners.delete(listener);
}

/** Test hook: forget the remembered first restore attempt. */
export function resetSessionForTests(): void {
  refreshing = null;
  initialAttempt = null;
  setAccessToken(null);
}
