import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Post, Publication, ResponseBody, ScheduleInput } from "@/lib/api/types";
import { commsMe, editorMe, ids, makePost, makePublication } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, problem, server } from "@/testing/server";

type Publications = ResponseBody<"/api/v1/posts/{post_id}/publications", "get">;
const NONEXISTENT =
  "28.03.2027 02:30 existiert nicht (Zeitumstellung) in Europe/Berlin. Nächste gültige Zeiten: 01:59 (CET) oder 03:00 (CEST) [2027-03-28T01:59:00+01:00 / 2027-03-28T03:00:00+02:00].";
const AMBIGUOUS =
  "25.10.2026 02:30 gibt es wegen der Zeitumstellung zweimal in Europe/Berlin: fold=0 → 2026-10-25T02:30:00+02:00 (CEST), fold=1 → 2026-10-25T02:30:00+01:00 (CET). Bitte `fold` angeben.";

function detailBackend(post: Post, publications: Publication[] = []) {
  return [
    http.get("*/api/v1/posts/:id", () => HttpResponse.json<Post>(post)),
    http.get("*/api/v1/posts/:id/publications", () => HttpResponse.json<Publications>({ items: publications, next_cursor: null })),
  ];
}

describe("Beitrag: detail", () => {
  it("sends a reviewer of a post in review to the review screen; no decision buttons here", async () => {
    backend.me = commsMe();
    server.use(...detailBackend(makePost({ status: "in_review" })));
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    const link = await screen.findByRole("link", { name: "Prüfen und entscheiden" });
    expect(link).toHaveAttribute("href", `/freigaben/${ids.post}`);
    expect(screen.queryByRole("button", { name: "Freigeben" })).not.toBeInTheDocument();
    // A reviewer without posts.write cannot submit, edit or schedule.
    expect(screen.queryByRole("button", { name: "Zur Prüfung einreichen" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Bearbeiten" })).not.toBeInTheDocument();
    expect(screen.queryByLabelText("Datum")).not.toBeInTheDocument();
  });

  it("offers no review link to an editor", async () => {
    backend.me = editorMe();
    server.use(...detailBackend(makePost({ status: "in_review" })));
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    expect(await screen.findByRole("link", { name: "Bearbeiten" })).toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Prüfen und entscheiden" })).not.toBeInTheDocument();
  });

  it("schedules in the clinic's zone and shows the backend's DST messages, asking which of a doubled time", async () => {
    backend.me = editorMe();
    const bodies: ScheduleInput[] = [];
    server.use(
      ...detailBackend(makePost({ status: "approved", approval_current: true })),
      http.post("*/api/v1/posts/:id/schedule", async ({ request }) => {
        const body = (await request.json()) as ScheduleInput;
        bodies.push(body);
        if (body.scheduled_local === "2027-03-28T02:30")
          return problem(422, "Validation failed", { detail: NONEXISTENT, errors: [{ field: "body.scheduled_local", message: NONEXISTENT, type: "nonexistent_time" }] });
        if (body.fold === undefined)
          return problem(422, "Validation failed", { detail: AMBIGUOUS, errors: [{ field: "body.scheduled_local", message: AMBIGUOUS, type: "ambiguous_time" }] });
        return HttpResponse.json<Post>(makePost({ status: "scheduled", scheduled_local: "2026-10-25T02:30:00", scheduled_at: "2026-10-25T01:30:00Z" }));
      }),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    expect(await screen.findByText("Uhrzeit in der Zeitzone der Klinik (Europe/Berlin).")).toBeInTheDocument();

    await user.type(screen.getByLabelText("Datum"), "2027-03-28");
    await user.type(screen.getByLabelText("Uhrzeit"), "02:30");
    await user.click(screen.getByRole("button", { name: "Einplanen" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(NONEXISTENT);
    expect(bodies[0]).toEqual({ scheduled_local: "2027-03-28T02:30" });

    await user.clear(screen.getByLabelText("Datum"));
    await user.type(screen.getByLabelText("Datum"), "2026-10-25");
    await user.click(screen.getByRole("button", { name: "Einplanen" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(AMBIGUOUS);
    const group = screen.getByRole("group", { name: /gibt es wegen der Zeitumstellung zweimal/ });
    expect(screen.getByRole("button", { name: "Einplanen" })).toBeDisabled();
    await user.click(within(group).getByRole("radio", { name: "Die zweite (schon Winterzeit)" }));
    await user.click(screen.getByRole("button", { name: "Einplanen" }));
    expect(await screen.findByText("Beitrag ist eingeplant für 25.10.2026, 02:30.")).toBeInTheDocument();
    expect(bodies.at(-1)).toEqual({ scheduled_local: "2026-10-25T02:30", fold: 1 });
  });

  it("offers “Verschieben” for a scheduled post (keyboard-usable form)", async () => {
    backend.me = editorMe();
    const bodies: ScheduleInput[] = [];
    server.use(
      ...detailBackend(makePost({ status: "scheduled", approval_current: true, scheduled_local: "2026-11-20T09:30:00", scheduled_at: "2026-11-20T08:30:00Z" })),
      http.post("*/api/v1/posts/:id/schedule", async ({ request }) => {
        bodies.push((await request.json()) as ScheduleInput);
        return HttpResponse.json<Post>(makePost({ status: "scheduled", scheduled_local: "2026-11-21T09:30:00" }));
      }),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    const date = await screen.findByLabelText("Datum");
    expect(date).toHaveValue("2026-11-20");
    expect(screen.getByLabelText("Uhrzeit")).toHaveValue("09:30");
    await user.clear(date);
    await user.type(date, "2026-11-21");
    await user.keyboard("{Enter}");
    expect(await screen.findByText("Beitrag ist eingeplant für 21.11.2026, 09:30.")).toBeInTheDocument();
    expect(bodies).toEqual([{ scheduled_local: "2026-11-21T09:30" }]);
    expect(screen.getByRole("button", { name: "Verschieben" })).toBeInTheDocument();
  });

  it("shows each channel's state with the live link and the German error, and retries", async () => {
    backend.me = editorMe();
    let retried = 0;
    server.use(
      ...detailBackend(makePost({ status: "published" }), [
        makePublication({ status: "published", platform_url: "https://social.example/@altstadt/1", published_at: "2026-11-20T08:30:02Z" }),
        makePublication({
          id: "00000000-0000-4000-8000-000000000502",
          channel_id: ids.bluesky,
          channel_name: "Altstadt auf Bluesky",
          platform: "bluesky",
          status: "failed",
          attempts: 3,
          error: "Bluesky hat den Beitrag abgelehnt: Der Text ist zu lang.",
        }),
      ]),
      http.post("*/api/v1/publications/:id/retry", () => {
        retried += 1;
        return HttpResponse.json<Publication>(makePublication({ status: "pending" }));
      }),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    const live = await screen.findByRole("link", { name: "Altstadt auf Mastodon: Beitrag live ansehen (öffnet ein neues Fenster)" });
    expect(live).toHaveAttribute("href", "https://social.example/@altstadt/1");
    expect(live).toHaveAttribute("target", "_blank");
    expect(live).toHaveAttribute("rel", "noopener noreferrer");
    expect(screen.getByText("Bluesky hat den Beitrag abgelehnt: Der Text ist zu lang.")).toBeInTheDocument();
    expect(screen.getByText("Fehlgeschlagen")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Erneut veröffentlichen" }));
    expect(await screen.findByText("Veröffentlichung wird erneut versucht.")).toBeInTheDocument();
    expect(retried).toBe(1);
  });

  it("submits a draft and shows the platforms' blocking issues in German", async () => {
    backend.me = editorMe();
    server.use(
      ...detailBackend(makePost()),
      http.post("*/api/v1/posts/:id/submit", () =>
        problem(422, "Validation failed", {
          detail: "Der Beitrag erfüllt nicht alle Vorgaben der Plattformen.",
          errors: [{ field: "variants.0.text", message: "Altstadt auf Bluesky: Der Text ist 301 Zeichen lang; erlaubt sind 300.", type: "text_too_long" }],
        }),
      ),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Zur Prüfung einreichen" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Der Beitrag erfüllt nicht alle Vorgaben der Plattformen.");
    expect(alert).toHaveTextContent("Altstadt auf Bluesky: Der Text ist 301 Zeichen lang; erlaubt sind 300.");
  });
});
