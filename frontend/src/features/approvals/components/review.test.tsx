import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { commsMe, editorMe, ids, makePost } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, problem, server } from "@/testing/server";
import type { DecisionInput, QueuePage, Review } from "../api/approvals";

const REQUEST = "00000000-0000-4000-8000-000000000902";
const FOUR_EYES = "Niemand entscheidet über den eigenen Beitrag (Vier-Augen-Prinzip).";

function makeReview(overrides: Partial<Review> = {}): Review {
  const post = makePost({ status: "in_review", base_text: "Jetzt impfen lassen." });
  return {
    post,
    request: {
      id: REQUEST, status: "pending", content_version: 3, policy_source: "default", current_step: 0,
      submitted_by_id: post.created_by_id, created_at: "2026-11-20T08:00:00Z", waiting_since: "2026-11-20T08:00:00Z",
      completed_at: null,
      steps: [{ index: 0, review: "comms", required_approvals: 1, approvals: 0, state: "current", decisions: [] }],
    },
    texts: [{ key: "base", channel_id: null, channel_name: null, platform: null, text: post.base_text }],
    can_decide: true,
    cannot_decide_reason: null,
    eligible_reviewers: [{ id: "00000000-0000-4000-8000-000000000106", full_name: "Klara Kommunikation" }],
    diff: { base_request_id: null, base_version: null, base_reason: null, fields: [] },
    history: [],
    ...overrides,
  };
}

function reviewBackend(review: Review, decide?: (body: DecisionInput) => Response | Promise<Response>) {
  return [
    http.get("*/api/v1/posts/:id/review", () => HttpResponse.json<Review>(review)),
    http.post("*/api/v1/posts/:id/review/decisions", async ({ request }) =>
      decide ? decide((await request.json()) as DecisionInput) : HttpResponse.json<Review>(review),
    ),
  ];
}

describe("Freigaben: review screen and decision form", () => {
  it("shows texts with findings and steps; approves the version on screen without a comment", async () => {
    backend.me = commsMe();
    const sent: DecisionInput[] = [];
    const approved = makeReview({ post: makePost({ status: "approved" }), can_decide: false, cannot_decide_reason: "not_in_review" });
    server.use(...reviewBackend(makeReview(), (body) => (sent.push(body), HttpResponse.json<Review>(approved))));
    server.use(
      http.get("*/api/v1/posts/:id/compliance", () =>
        HttpResponse.json({ post_id: ids.post, ruleset_version: "test", blocking: 0, findings: [
          { rule: "hwg.efficacy_claim", severity: "warn", message: "Heilversprechen vermeiden.", start: 0, end: 5, target: "base",
            channel_id: null, media_id: null, fingerprint: "f1", overridable: true, overridden: null },
        ] }),
      ),
    );
    const user = userEvent.setup();
    renderApp(`/freigaben/${ids.post}`, { signedIn: true });
    expect((await screen.findAllByText("Heilversprechen vermeiden.", { exact: false })).length).toBeGreaterThan(0);
    expect(screen.getByText("Entscheiden dürfen: Klara Kommunikation")).toBeInTheDocument();
    expect(screen.getByText("Kommunikationsleitung", { selector: "strong" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Freigeben" }));
    expect(await screen.findByText("Freigegeben.")).toBeInTheDocument();
    expect(sent).toEqual([{ request_id: REQUEST, decision: "approve", comment: null }]);
    expect(await screen.findByText("Der Beitrag wartet gerade auf keine Entscheidung.")).toBeInTheDocument();
  });

  it("requires a comment to request changes or reject", async () => {
    backend.me = commsMe();
    const sent: DecisionInput[] = [];
    server.use(...reviewBackend(makeReview(), (body) => (sent.push(body), HttpResponse.json<Review>(makeReview()))));
    const user = userEvent.setup();
    renderApp(`/freigaben/${ids.post}`, { signedIn: true });
    const group = await screen.findByRole("group", { name: "Ihre Entscheidung" });
    await user.click(within(group).getByRole("radio", { name: "Änderungen anfordern" }));
    await user.click(screen.getByRole("button", { name: "Änderungen anfordern" }));
    expect(await screen.findByText("Bitte einen Kommentar schreiben.")).toBeInTheDocument();
    expect(screen.getByLabelText("Kommentar")).toHaveAttribute("aria-invalid", "true");
    expect(sent).toEqual([]);
    await user.type(screen.getByLabelText("Kommentar"), "Bitte Quelle ergänzen.");
    await user.click(screen.getByRole("button", { name: "Änderungen anfordern" }));
    expect(await screen.findByText("Änderungen angefordert.")).toBeInTheDocument();
    expect(sent).toEqual([{ request_id: REQUEST, decision: "request_changes", comment: "Bitte Quelle ergänzen." }]);
  });

  it("shows the backend's four-eyes refusal", async () => {
    backend.me = commsMe();
    server.use(...reviewBackend(makeReview(), () => problem(403, "Forbidden", { detail: FOUR_EYES })));
    const user = userEvent.setup();
    renderApp(`/freigaben/${ids.post}`, { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Freigeben" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(FOUR_EYES);
  });

  it("explains why the author cannot decide, without a form", async () => {
    backend.me = editorMe();
    server.use(...reviewBackend(makeReview({ can_decide: false, cannot_decide_reason: "author" })));
    renderApp(`/freigaben/${ids.post}`, { signedIn: true });
    expect(await screen.findByText("Sie haben diesen Beitrag verfasst oder eingereicht (Vier-Augen-Prinzip).")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Freigeben" })).not.toBeInTheDocument();
  });

  it("lists the queue with the waiting time and a badge in the navigation", async () => {
    backend.me = commsMe();
    const since = new Date(Date.now() - 3 * 3_600_000 - 60_000).toISOString();
    const page: QueuePage = {
      total: 1, next_cursor: null,
      items: [{ request_id: REQUEST, post_id: ids.post, clinic_id: "c", clinic_name: "Klinikum Altstadt", title: "Grippeimpfung",
                category: "jobs", content_version: 2, step: 0, steps_total: 1, review: "comms", waiting_since: since }],
    };
    server.use(http.get("*/api/v1/approvals/queue", () => HttpResponse.json<QueuePage>(page)));
    renderApp("/freigaben", { signedIn: true });
    expect(await screen.findByRole("link", { name: "Grippeimpfung" })).toHaveAttribute("href", `/freigaben/${ids.post}`);
    expect(screen.getByText("wartet seit 3 Stunden")).toBeInTheDocument();
    expect(screen.getByText("Stufe 1 von 1: Kommunikationsleitung")).toBeInTheDocument();
    expect(await screen.findByText("1 wartet auf Sie")).toBeInTheDocument();
  });
});
