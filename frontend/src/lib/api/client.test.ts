import { http, HttpResponse } from "msw";
import { describe, expect, it, vi } from "vitest";
import { onSessionExpired } from "@/lib/auth/session";
import { getAccessToken, setAccessToken } from "@/lib/auth/token-store";
import { adminMe } from "@/testing/fixtures";
import { authorized, backend, server, unauthorized } from "@/testing/server";
import { api, unwrap } from "./client";
import { ApiError } from "./problem";

/** Count /me calls and the Authorization header each carried. */
function recordMeCalls() {
  const seen: (string | null)[] = [];
  server.use(
    http.get("*/api/v1/me", ({ request }) => {
      seen.push(request.headers.get("Authorization"));
      return authorized(request) ? HttpResponse.json(adminMe()) : unauthorized();
    }),
  );
  return seen;
}

describe("api client auth middleware", () => {
  it("sends the bearer token and the web client header", async () => {
    let header: string | null = null;
    server.use(
      http.get("*/api/v1/me", ({ request }) => {
        header = request.headers.get("X-Klinikfunk-Client");
        return authorized(request) ? HttpResponse.json(adminMe()) : unauthorized();
      }),
    );
    setAccessToken(backend.token);
    const me = await unwrap(api.GET("/api/v1/me"));
    expect(me.user.full_name).toBe("Anna Admin");
    expect(header).toBe("web");
  });

  it("on a 401 refreshes once and retries the request once with the new token", async () => {
    const seen = recordMeCalls();
    backend.refreshCookie = true;
    setAccessToken("expired-token");

    const me = await unwrap(api.GET("/api/v1/me"));

    expect(me.user.email).toBe("anna.admin@klinikum.example");
    expect(backend.calls.refresh).toBe(1);
    expect(seen).toEqual(["Bearer expired-token", `Bearer ${backend.token}`]);
    expect(getAccessToken()).toBe(backend.token);
  });

  it("shares one refresh between concurrent 401s", async () => {
    const seen = recordMeCalls();
    backend.refreshCookie = true;
    setAccessToken("expired-token");

    const results = await Promise.all([1, 2, 3].map(() => unwrap(api.GET("/api/v1/me"))));

    expect(results).toHaveLength(3);
    expect(backend.calls.refresh).toBe(1);
    expect(seen.filter((h) => h === "Bearer expired-token")).toHaveLength(3);
    expect(seen.filter((h) => h === `Bearer ${backend.token}`)).toHaveLength(3);
  });

  it("ends the session when the refresh is refused, without retrying", async () => {
    const seen = recordMeCalls();
    const expired = vi.fn();
    const unsubscribe = onSessionExpired(expired);
    backend.refreshCookie = false;
    setAccessToken("expired-token");

    await expect(unwrap(api.GET("/api/v1/me"))).rejects.toMatchObject({ status: 401 });

    expect(seen).toHaveLength(1);
    expect(backend.calls.refresh).toBe(1);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(getAccessToken()).toBeNull();
    unsubscribe();
  });

  it("retries only once even if the retry is refused too", async () => {
    let calls = 0;
    server.use(
      http.get("*/api/v1/me", () => {
        calls += 1;
        return unauthorized();
      }),
    );
    backend.refreshCookie = true;
    setAccessToken("expired-token");

    const error = await unwrap(api.GET("/api/v1/me")).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(calls).toBe(2);
    expect(backend.calls.refresh).toBe(1);
  });

  it("replays the body of a POST after refreshing", async () => {
    const bodies: unknown[] = [];
    server.use(
      http.post("*/api/v1/regions", async ({ request }) => {
        bodies.push(await request.json());
        if (!authorized(request)) return unauthorized();
        return HttpResponse.json(
          { id: "r1", organization_id: "o1", name: "Nord", is_active: true, created_at: "2026-11-01T00:00:00Z" },
          { status: 201 },
        );
      }),
    );
    backend.refreshCookie = true;
    setAccessToken("expired-token");

    const region = await unwrap(api.POST("/api/v1/regions", { body: { name: "Nord" } }));

    expect(region.name).toBe("Nord");
    expect(bodies).toEqual([{ name: "Nord" }, { name: "Nord" }]);
  });

  it("turns a problem document into an ApiError with field errors and Retry-After", async () => {
    server.use(
      http.get("*/api/v1/me", () =>
        HttpResponse.json(
          { type: "about:blank", title: "Too Many Requests", status: 429, detail: "Langsam." },
          { status: 429, headers: { "Retry-After": "120", "Content-Type": "application/problem+json" } },
        ),
      ),
    );
    setAccessToken(backend.token);
    const error = (await unwrap(api.GET("/api/v1/me")).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.retryAfter).toBe(120);
    expect(error.message).toBe("Langsam.");
  });
});
