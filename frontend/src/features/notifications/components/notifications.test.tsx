import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { ResponseBody } from "@/lib/api/types";
import { renderApp } from "@/testing/render-app";
import { server } from "@/testing/server";

type Page = ResponseBody<"/api/v1/notifications", "get">;
type Item = Page["items"][number];

function makeNotification(overrides: Partial<Item> = {}): Item {
  return {
    id: "00000000-0000-4000-8000-000000000901",
    created_at: "2026-11-20T09:00:00Z",
    clinic_id: null,
    kind: "channel_needs_reconnect",
    title_de: "Kanal muss neu verbunden werden",
    body_de: "Der Kanal „Klinikum Nord“ hat seine Berechtigung verloren.",
    link: "/einstellungen/kanaele",
    target_type: "channel",
    target_id: "00000000-0000-4000-8000-000000000902",
    read_at: null,
    ...overrides,
  };
}

/** A tiny notifications backend: two unread, read one or all. */
function notificationsBackend() {
  const calls: string[] = [];
  let items = [
    makeNotification(),
    makeNotification({
      id: "00000000-0000-4000-8000-000000000903",
      kind: "publication_missed",
      title_de: "Veröffentlichung verpasst",
      body_de: "Ein Beitrag wurde nicht rechtzeitig veröffentlicht.",
      link: "/beitraege/00000000-0000-4000-8000-000000000904",
    }),
  ];
  const unread = () => items.filter((item) => !item.read_at).length;
  server.use(
    http.get("*/api/v1/notifications/unread-count", () => HttpResponse.json({ unread_count: unread() })),
    http.get("*/api/v1/notifications", () => HttpResponse.json<Page>({ items, next_cursor: null, unread_count: unread() })),
    http.post("*/api/v1/notifications/read-all", () => {
      calls.push("read-all");
      items = items.map((item) => ({ ...item, read_at: "2026-11-20T10:00:00Z" }));
      return new HttpResponse(null, { status: 204 });
    }),
    http.post("*/api/v1/notifications/:id/read", ({ params }) => {
      calls.push(`read ${String(params.id)}`);
      items = items.map((item) => (item.id === params.id ? { ...item, read_at: "2026-11-20T10:00:00Z" } : item));
      return HttpResponse.json(items.find((item) => item.id === params.id));
    }),
    http.get("*/api/v1/channels", () => HttpResponse.json({ items: [], next_cursor: null })),
  );
  return calls;
}

describe("Benachrichtigungen", () => {
  it("shows the unread count on the bell and marks all as read", async () => {
    const calls = notificationsBackend();
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });

    const bell = await screen.findByRole("button", { name: "Benachrichtigungen, 2 ungelesen" });
    expect(bell).toHaveTextContent("2");
    await user.click(bell);
    const list = await screen.findByRole("region", { name: "Benachrichtigungen" });
    expect(within(list).getByRole("link", { name: /Kanal muss neu verbunden werden/ })).toHaveAttribute("href", "/einstellungen/kanaele");
    expect(within(list).getByRole("link", { name: /Veröffentlichung verpasst/ })).toHaveAttribute(
      "href",
      "/beitraege/00000000-0000-4000-8000-000000000904",
    );

    await user.click(within(list).getByRole("button", { name: "Alle als gelesen markieren" }));
    expect(await screen.findByRole("button", { name: "Benachrichtigungen, 0 ungelesen" })).toBeInTheDocument();
    expect(calls).toEqual(["read-all"]);
  });

  it("opens the target and marks the notification read", async () => {
    const calls = notificationsBackend();
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });

    await user.click(await screen.findByRole("button", { name: "Benachrichtigungen, 2 ungelesen" }));
    await user.click(await screen.findByRole("link", { name: /Kanal muss neu verbunden werden/ }));

    expect(await screen.findByRole("heading", { level: 1, name: "Kanäle" })).toBeInTheDocument();
    await waitFor(() => expect(calls).toEqual(["read 00000000-0000-4000-8000-000000000901"]));
    expect(await screen.findByRole("button", { name: "Benachrichtigungen, 1 ungelesen" })).toBeInTheDocument();
  });

  it("says so when there is nothing", async () => {
    server.use(http.get("*/api/v1/notifications", () => HttpResponse.json<Page>({ items: [], next_cursor: null, unread_count: 0 })));
    const user = userEvent.setup();
    renderApp("/", { signedIn: true });

    await user.click(await screen.findByRole("button", { name: "Benachrichtigungen, 0 ungelesen" }));
    expect(await screen.findByText("Keine Benachrichtigungen.")).toBeInTheDocument();
  });
});
