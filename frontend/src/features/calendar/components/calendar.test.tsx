import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Post, ResponseBody, ScheduleInput } from "@/lib/api/types";
import { editorMe, ids, makeChannel, makePost } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, server } from "@/testing/server";

type Posts = ResponseBody<"/api/v1/posts", "get">;
type Channels = ResponseBody<"/api/v1/channels", "get">;

const scheduled = makePost({ status: "scheduled", scheduled_local: "2026-11-20T09:30:00", scheduled_at: "2026-11-20T08:30:00Z" });

function calendarBackend(queries: URLSearchParams[] = [], items: Post[] = [scheduled]) {
  return [
    http.get("*/api/v1/posts", ({ request }) => {
      queries.push(new URL(request.url).searchParams);
      return HttpResponse.json<Posts>({ items, next_cursor: null });
    }),
    http.get("*/api/v1/channels", () => HttpResponse.json<Channels>({ items: [makeChannel()], next_cursor: null })),
  ];
}

function cell(day: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`[data-day="${day}"]`);
  if (!element) throw new Error(`no cell for ${day}`);
  return element;
}

describe("Kalender", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-15T10:00:00"));
    backend.me = editorMe();
  });
  afterEach(() => vi.useRealTimers());

  it("shows the month with scheduled posts on their day and filters by clinic and channel", async () => {
    const queries: URLSearchParams[] = [];
    server.use(...calendarBackend(queries));
    const user = userEvent.setup();
    renderApp("/kalender", { signedIn: true });

    expect(await screen.findByRole("heading", { level: 2, name: "November 2026" })).toBeInTheDocument();
    await screen.findByRole("table");
    const link = await within(cell("2026-11-20")).findByRole("link", { name: /09:30 Grippeimpfung im Herbst/ });
    expect(link).toHaveAttribute("href", `/beitraege/${ids.post}`);
    expect(within(cell("2026-11-19")).queryByRole("link")).not.toBeInTheDocument();
    expect(cell("2026-11-15")).toHaveAttribute("aria-current", "date");
    const first = queries[0];
    expect(first?.getAll("status")).toEqual(["scheduled", "published", "paused", "failed"]);
    expect(new Date(first?.get("from") ?? "").getTime()).toBeLessThanOrEqual(new Date("2026-10-26T00:00:00").getTime());
    expect(new Date(first?.get("to") ?? "").getTime()).toBeGreaterThanOrEqual(new Date("2026-12-07T00:00:00").getTime());

    await user.selectOptions(screen.getByLabelText("Klinik"), "Klinikum Altstadt");
    await user.selectOptions(screen.getByLabelText("Kanal"), "Altstadt auf Mastodon (Mastodon)");
    await within(cell("2026-11-20")).findByRole("link");
    expect(queries.at(-1)?.get("clinic")).toBe(ids.clinicA);
    expect(queries.at(-1)?.get("channel")).toBe(ids.mastodon);
  });

  it("moves between days with the arrow keys and between months with Page Down", async () => {
    server.use(...calendarBackend());
    const user = userEvent.setup();
    renderApp("/kalender", { signedIn: true });
    await within(await screen.findByRole("table")).findAllByRole("link");
    expect(cell("2026-11-15")).toHaveAttribute("tabindex", "0");
    expect(cell("2026-11-16")).toHaveAttribute("tabindex", "-1");

    cell("2026-11-15").focus();
    await user.keyboard("{ArrowRight}");
    expect(cell("2026-11-16")).toHaveFocus();
    await user.keyboard("{ArrowDown}");
    expect(cell("2026-11-23")).toHaveFocus();
    expect(cell("2026-11-23")).toHaveAccessibleName(/Montag, 23. November 2026: keine Beiträge/);
    await user.keyboard("{PageDown}");
    expect(await screen.findByRole("heading", { level: 2, name: "Dezember 2026" })).toBeInTheDocument();
    expect(cell("2026-12-23")).toHaveFocus();
  });

  it("shows a week", async () => {
    server.use(...calendarBackend());
    const user = userEvent.setup();
    renderApp("/kalender", { signedIn: true });
    await screen.findByRole("table");
    await user.selectOptions(screen.getByLabelText("Ansicht"), "Woche");
    expect(await screen.findByRole("heading", { level: 2, name: "Woche ab 9. November 2026" })).toBeInTheDocument();
    expect(document.querySelectorAll("td[data-day]")).toHaveLength(7);
    await user.click(screen.getByRole("button", { name: "Nächste Woche" }));
    expect(await within(cell("2026-11-20")).findByRole("link", { name: /Grippeimpfung/ })).toBeInTheDocument();
  });

  it("reschedules a post dragged to another day, keeping its time", async () => {
    const bodies: ScheduleInput[] = [];
    server.use(
      ...calendarBackend(),
      http.post("*/api/v1/posts/:id/schedule", async ({ request }) => {
        bodies.push((await request.json()) as ScheduleInput);
        return HttpResponse.json<Post>(makePost({ status: "scheduled", scheduled_local: "2026-11-24T09:30:00" }));
      }),
    );
    renderApp("/kalender", { signedIn: true });
    await screen.findByRole("table");
    const link = await within(cell("2026-11-20")).findByRole("link");
    expect(link).toHaveAttribute("draggable", "true");
    const data = new Map<string, string>();
    const dataTransfer = { setData: (k: string, v: string) => data.set(k, v), getData: (k: string) => data.get(k) ?? "" };
    fireEvent.dragStart(link, { dataTransfer });
    fireEvent.dragOver(cell("2026-11-24"), { dataTransfer });
    fireEvent.drop(cell("2026-11-24"), { dataTransfer });
    expect(await screen.findByText("Beitrag „Grippeimpfung im Herbst“ wurde auf 24.11.2026, 09:30 verschoben.")).toBeInTheDocument();
    expect(bodies).toEqual([{ scheduled_local: "2026-11-24T09:30" }]);
  });

  it("lists the days with posts at phone width instead of the grid", async () => {
    vi.stubGlobal("matchMedia", (query: string) => ({
      matches: query.includes("max-width"),
      media: query,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
    }));
    server.use(...calendarBackend());
    renderApp("/kalender", { signedIn: true });
    expect(await screen.findByRole("heading", { level: 2, name: "Freitag, 20. November" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "09:30 Grippeimpfung im Herbst" })).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    vi.unstubAllGlobals();
  });
});
