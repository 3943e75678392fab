import createClient, { type Middleware } from "openapi-fetch";
import { expireSession, refreshAccessToken } from "@/lib/auth/session";
import { getAccessToken } from "@/lib/auth/token-store";
import { apiBaseUrl, CLIENT_HEADER, CLIENT_NAME } from "./base-url";
import { ApiError } from "./problem";
import type { paths } from "./schema.gen";

const replayable = new Map<string, Request>();

function isAuthEndpoint(url: string): boolean {
  return new URL(url).pathname.startsWith("/api/v1/auth/");
}

function withToken(request: Request, token: string | null): Request {
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  return request;
}

/**
 * Adds the bearer token; on a 401 renews the token once (shared across concurrent calls)
 * and replays the request once. A failed renewal ends the session.
 */
export const authMiddleware: Middleware = {
  onRequest({ request, id }) {
    request.headers.set(CLIENT_HEADER, CLIENT_NAME);
    withToken(request, getAccessToken());
    if (!isAuthEndpoint(request.url)) replayable.set(id, request.clone());
    return request;
  },
  async onResponse({ request, response, id }) {
    const original = replayable.get(id);
    replayable.delete(id);
    if (response.status !== 401 || !original) return response;

    const current = getAccessToken();
    const renewedMeanwhile = current !== null && request.headers.get("Authorization") !== `Bearer ${current}`;
    const renewed = renewedMeanwhile || (await refreshAccessToken());
    if (!renewed) {
      expireSession();
      return response;
    }
    const retried = await globalThis.fetch(withToken(original, getAccessToken()));
    if (retried.status === 401) expireSession();
    return retried;
  },
  onError({ id }) {
    replayable.delete(id);
  },
};

export const api = createClient<paths>({
  baseUrl: apiBaseUrl(),
  credentials: "same-origin",
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(authMiddleware);

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Return the body of a successful call or throw an {@link ApiError} carrying the problem document. */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error, response.headers.get("Retry-After"));
  return data as T;
}
