import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { paths } from "@/lib/api/schema.gen";
import type { ResponseBody } from "@/lib/api/types";
import type { Problem } from "@/lib/api/problem";
import { adminMe, someUsers } from "./fixtures";

type Json<P extends keyof paths, M extends "get" | "post" | "patch"> = ResponseBody<P, M>;
function api(path: `/api/v1/${string}`): string {
  return `*${path}`;
}

/** The fake backend's state: which refresh cookie and access token it accepts, and who is signed in. */
export const backend = {
  refreshCookie: false,
  token: "token-1",
  issued: 1,
  me: adminMe(),
  calls: { refresh: 0, logout: 0 } as Record<string, number>,
};

export function resetBackend(): void {
  backend.refreshCookie = false;
  backend.token = "token-1";
  backend.issued = 1;
  backend.me = adminMe();
  backend.calls = { refresh: 0, logout: 0 };
}

function issueToken(): Json<"/api/v1/auth/login", "post"> {
  backend.issued += 1;
  backend.token = `token-${backend.issued}`;
  backend.refreshCookie = true;
  return { access_token: backend.token, token_type: "bearer", expires_in: 900, refresh_token: null };
}

/** An RFC 9457 answer; a plain Response so handlers keep their typed success body. */
export function problem(
  status: number,
  title: string,
  extra: Partial<Problem> = {},
  headers: Record<string, string> = {},
): Response {
  const body: Problem = { type: "about:blank", title, status, ...extra };
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });
}

export function unauthorized() {
  return problem(401, "Unauthorized", { detail: "Nicht angemeldet." });
}

export function authorized(request: Request): boolean {
  return request.headers.get("Authorization") === `Bearer ${backend.token}`;
}

export const handlers = [
  http.post(api("/api/v1/auth/login"), async ({ request }) => {
    const body = (await request.json()) as { email: string; password: string };
    if (body.password !== "richtig-geheim") return problem(401, "Unauthorized", { detail: "Anmeldung fehlgeschlagen." });
    return HttpResponse.json(issueToken());
  }),
  http.post(api("/api/v1/auth/refresh"), async () => {
    backend.calls.refresh = (backend.calls.refresh ?? 0) + 1;
    await delay(5);
    return backend.refreshCookie ? HttpResponse.json(issueToken()) : unauthorized();
  }),
  http.post(api("/api/v1/auth/logout"), () => {
    backend.calls.logout = (backend.calls.logout ?? 0) + 1;
    backend.refreshCookie = false;
    return new HttpResponse(null, { status: 204 });
  }),
  http.get(api("/api/v1/me"), ({ request }) =>
    authorized(request) ? HttpResponse.json<Json<"/api/v1/me", "get">>(backend.me) : unauthorized(),
  ),
  http.get(api("/api/v1/users"), ({ request }) => {
    if (!authorized(request)) return unauthorized();
    const q = new URL(request.url).searchParams.get("q")?.toLowerCase() ?? "";
    const items = someUsers().filter((user) => `${user.full_name} ${user.email}`.toLowerCase().includes(q));
    return HttpResponse.json<Json<"/api/v1/users", "get">>({ items, next_cursor: null });
  }),
];

handlers.push(
  // No consent records unless a test says otherwise (the post detail's consent picker asks).
  http.get(api("/api/v1/consents/summaries"), ({ request }) =>
    authorized(request) ? HttpResponse.json<Json<"/api/v1/consents/summaries", "get">>({ items: [], next_cursor: null }) : unauthorized(),
  ),
  // No crisis unless a test says otherwise (the app frame asks on every page).
  http.get(api("/api/v1/crisis"), ({ request }) =>
    authorized(request) ? HttpResponse.json<Json<"/api/v1/crisis", "get">>({ items: [], next_cursor: null }) : unauthorized(),
  ),
  // No compliance findings unless a test says otherwise (composer and post detail ask).
  http.post(api("/api/v1/compliance/check"), ({ request }) =>
    authorized(request) ? HttpResponse.json<Json<"/api/v1/compliance/check", "post">>({ findings: [], ruleset_version: "test" }) : unauthorized(),
  ),
  http.get(api("/api/v1/posts/:id/compliance"), ({ request, params }) =>
    authorized(request)
      ? HttpResponse.json<Json<"/api/v1/posts/{post_id}/compliance", "get">>({ post_id: String(params.id), ruleset_version: "test", blocking: 0, findings: [] })
      : unauthorized(),
  ),
  // No dark-site statements unless a test says otherwise (the crisis page lists them).
  http.get(api("/api/v1/crisis/holding-statements"), ({ request }) =>
    authorized(request)
      ? HttpResponse.json<Json<"/api/v1/crisis/holding-statements", "get">>({ items: [], next_cursor: null })
      : unauthorized(),
  ),
  // Nothing waits for approval unless a test says otherwise (the navigation badge polls).
  http.get(api("/api/v1/approvals/queue"), ({ request }) =>
    authorized(request)
      ? HttpResponse.json<Json<"/api/v1/approvals/queue", "get">>({ items: [], next_cursor: null, total: 0 })
      : unauthorized(),
  ),
  // No notifications unless a test says otherwise (the header bell polls on every page).
  http.get(api("/api/v1/notifications/unread-count"), ({ request }) =>
    authorized(request) ? HttpResponse.json<Json<"/api/v1/notifications/unread-count", "get">>({ unread_count: 0 }) : unauthorized(),
  ),
);

export const server = setupServer(...handlers);
