import { bareClient } from "@/lib/api/bare-client";
import { getAccessToken, setAccessToken } from "./token-store";

/** End the session on the server (clears the refresh cookie) and forget the access token. */
export async function logout(): Promise<void> {
  const token = getAccessToken();
  try {
    await bareClient.POST("/api/v1/auth/logout", {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  } catch {
    // Offline or already signed out: the local session ends regardless.
  } finally {
    setAccessToken(null);
  }
}
