import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Consent, ConsentCreateInput, ConsentRead, Me, Post, ResponseBody } from "@/lib/api/types";
import { editorMe, ids, makePost, makeUser } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, server } from "@/testing/server";

type Page = ResponseBody<"/api/v1/consents", "get">;
type Summaries = ResponseBody<"/api/v1/consents/summaries", "get">;
const CONSENT = "00000000-0000-4000-8000-000000000701";

function privacyMe(): Me {
  const user = makeUser({ full_name: "Petra Datenschutz" });
  const permissions: Me["organization_permissions"] = ["posts.read", "review.privacy", "consents.manage", "audit.read"];
  return {
    user,
    role_assignments: [],
    organization_permissions: permissions,
    clinics: [{ clinic_id: ids.clinicA, clinic_name: "Klinikum Altstadt", permissions }],
    regions: [],
  };
}

function makeConsent(overrides: Partial<Consent> = {}): Consent {
  return {
    id: CONSENT, created_at: "2026-11-01T09:00:00Z", updated_at: "2026-11-01T09:00:00Z",
    organization_id: ids.org, clinic_id: ids.clinicA, subject_label: "Patientin K., Kardiologie",
    subject_kind: "patient", legal_basis: "dsgvo_art9_2a", channel_ids: [ids.mastodon],
    categories: ["patient_story"], media_ids: [], valid_from: "2026-11-01T00:00:00Z",
    valid_until: "2027-11-01T00:00:00Z", document_reference: null, signer: null, withdrawn_at: null,
    withdrawal_reason: null, ended_at: null, expiry_warned_at: null, status: "valid", document: null,
    post_count: 1, posts: [],
    ...overrides,
  };
}

describe("Einwilligungen", () => {
  it("lists consent records and filters by status", async () => {
    backend.me = privacyMe();
    const statuses: (string | null)[] = [];
    server.use(
      http.get("*/api/v1/consents", ({ request }) => {
        const status = new URL(request.url).searchParams.get("status");
        statuses.push(status);
        const items: ConsentRead[] = status === "expired" ? [] : [makeConsent()];
        return HttpResponse.json<Page>({ items, next_cursor: null });
      }),
    );
    const user = userEvent.setup();
    renderApp("/einwilligungen", { signedIn: true });
    expect(await screen.findByRole("link", { name: "Patientin K., Kardiologie" })).toBeInTheDocument();
    expect(screen.getByRole("navigation", { name: "Hauptnavigation" })).toHaveTextContent("Einwilligungen");
    await user.selectOptions(screen.getByLabelText("Status"), "Abgelaufen");
    expect(await screen.findByText("Keine Einwilligungen gefunden.")).toBeInTheDocument();
    expect(statuses).toContain("expired");
  });

  it("is not open to editors", async () => {
    backend.me = editorMe();
    renderApp("/einwilligungen", { signedIn: true });
    expect(await screen.findByText("Für diese Seite fehlt Ihnen die Berechtigung.")).toBeInTheDocument();
  });

  it("checks the employee rule before sending and creates a record", async () => {
    backend.me = privacyMe();
    const bodies: ConsentCreateInput[] = [];
    server.use(
      http.get("*/api/v1/channels", () => HttpResponse.json({ items: [], next_cursor: null })),
      http.post("*/api/v1/consents", async ({ request }) => {
        const body = (await request.json()) as ConsentCreateInput;
        bodies.push(body);
        return HttpResponse.json<ConsentRead>(makeConsent({ subject_kind: body.subject_kind }), { status: 201 });
      }),
      http.get(`*/api/v1/consents/${CONSENT}`, () => HttpResponse.json<Consent>(makeConsent({ subject_kind: "employee" }))),
    );
    const user = userEvent.setup();
    renderApp("/einwilligungen/neu", { signedIn: true });
    await user.type(await screen.findByLabelText("Kürzel der Person"), "Pflegekraft S.");
    await user.selectOptions(screen.getByLabelText("Art der Person"), "Beschäftigte/r");
    await user.click(screen.getByRole("button", { name: "Speichern" }));
    expect(await screen.findByText("Pflicht bei Beschäftigten.", { selector: ".field__error" })).toBeInTheDocument();
    expect(bodies).toHaveLength(0);
    await user.type(screen.getByLabelText("Aktenzeichen des schriftlichen Originals"), "PA-1");
    await user.click(screen.getByRole("button", { name: "Speichern" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Patientin K., Kardiologie" })).toBeInTheDocument();
    expect(bodies[0]).toMatchObject({ subject_label: "Pflegekraft S.", subject_kind: "employee", document_reference: "PA-1" });
  });

  it("shows the takedown per publication and withdraws with a reason", async () => {
    backend.me = privacyMe();
    let reason: string | null = null;
    const linked: Consent["posts"] = [
      {
        post_id: ids.post, title: "Danke, Station 3", status: "published", created_by_id: makeUser().id,
        publications: [
          { publication_id: ids.publication, channel_id: ids.mastodon, channel_name: "Altstadt auf Mastodon", platform: "mastodon",
            publication_status: "deleting", platform_url: null, takedown_status: "blocked", attempts: 1,
            last_error: "Wartet: Die Verbindung zu Mastodon ist abgelaufen.", finished_at: null },
        ],
      },
    ];
    server.use(
      http.get(`*/api/v1/consents/${CONSENT}`, () =>
        HttpResponse.json<Consent>(makeConsent(reason ? { posts: linked, status: "withdrawn", withdrawn_at: "2026-11-20T10:00:00Z", ended_at: "2026-11-20T10:00:00Z", withdrawal_reason: reason } : { posts: linked })),
      ),
      http.post(`*/api/v1/consents/${CONSENT}/withdraw`, async ({ request }) => {
        reason = ((await request.json()) as { reason: string }).reason;
        return HttpResponse.json<ConsentRead>(makeConsent({ status: "withdrawn" }));
      }),
    );
    const user = userEvent.setup();
    renderApp(`/einwilligungen/${CONSENT}`, { signedIn: true });
    const posts = await screen.findByRole("region", { name: "Verknüpfte Beiträge" });
    expect(within(posts).getByText("Entfernen: Wartet auf neue Verbindung")).toBeInTheDocument();
    expect(within(posts).getByText(/Verbindung zu Mastodon ist abgelaufen/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Widerrufen" }));
    const dialog = screen.getByRole("dialog", { name: "Einwilligung widerrufen" });
    const confirm = within(dialog).getByRole("button", { name: "Endgültig widerrufen" });
    expect(confirm).toBeDisabled();
    await user.type(within(dialog).getByLabelText("Grund"), "Telefonisch widerrufen");
    await user.click(confirm);
    expect(await screen.findByText("Widerrufen – die Beiträge werden entfernt.")).toBeInTheDocument();
    expect(reason).toBe("Telefonisch widerrufen");
    expect(await screen.findByText("Telefonisch widerrufen")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Widerrufen" })).not.toBeInTheDocument();
  });

  it("lets an editor link a consent to a post", async () => {
    backend.me = editorMe();
    let linked: string[] = [];
    server.use(
      http.get(`*/api/v1/posts/${ids.post}`, () => HttpResponse.json<Post>(makePost({ consent_ids: linked }))),
      http.get("*/api/v1/posts/*/publications", () => HttpResponse.json({ items: [], next_cursor: null })),
      http.get("*/api/v1/consents/summaries", () =>
        HttpResponse.json<Summaries>({
          items: [{ id: CONSENT, clinic_id: ids.clinicA, subject_label: "Patientin K., Kardiologie", subject_kind: "patient", channel_ids: [], categories: [], media_ids: [], valid_from: "2026-11-01T00:00:00Z", valid_until: null, status: "valid" }],
          next_cursor: null,
        }),
      ),
      http.put(`*/api/v1/posts/${ids.post}/consents`, async ({ request }) => {
        linked = ((await request.json()) as { consent_ids: string[] }).consent_ids;
        return HttpResponse.json<Post>(makePost({ consent_ids: linked }));
      }),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    const section = await screen.findByRole("region", { name: "Einwilligungen" });
    await user.click(await within(section).findByRole("checkbox", { name: /Patientin K\., Kardiologie/ }));
    await user.click(within(section).getByRole("button", { name: "Verknüpfung speichern" }));
    expect(await screen.findByText("Die Einwilligungen wurden verknüpft.")).toBeInTheDocument();
    expect(linked).toEqual([CONSENT]);
  });
});
