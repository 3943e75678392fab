import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Me, Post, ResponseBody } from "@/lib/api/types";
import { commsMe, editorMe, ids, makePost } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, server } from "@/testing/server";

type Compliance = ResponseBody<"/api/v1/posts/{post_id}/compliance", "get">;
type Finding = Compliance["findings"][number];
const TEXT = "Danke an Herr Muster, Station 3!";
const FINGERPRINT = "a".repeat(64);
const REASON = "Einwilligung liegt schriftlich vor.";

function privacyMe(): Me {
  const me = commsMe();
  const permissions: Me["organization_permissions"] = ["posts.read", "review.privacy", "compliance.override"];
  return { ...me, organization_permissions: permissions, clinics: me.clinics.map((clinic) => ({ ...clinic, permissions })) };
}

function finding(overrides: Partial<Finding> = {}): Finding {
  return {
    rule: "phi.person_ward", severity: "block", message: "Name und Station einer Person.", start: 9, end: 31,
    target: "base", channel_id: null, media_id: null, fingerprint: FINGERPRINT, overridable: true, overridden: null,
    ...overrides,
  };
}

function withFindings(current: () => Finding[]) {
  const post: Post = makePost({ status: "draft", base_text: TEXT });
  return [
    http.get("*/api/v1/posts/:id", () => HttpResponse.json<Post>(post)),
    http.get("*/api/v1/posts/:id/publications", () => HttpResponse.json({ items: [], next_cursor: null })),
    http.get("*/api/v1/posts/:id/compliance", () => {
      const findings = current();
      const blocking = findings.filter((item) => item.severity === "block" && !item.overridden).length;
      return HttpResponse.json<Compliance>({ post_id: ids.post, ruleset_version: "test", blocking, findings });
    }),
  ];
}

describe("Compliance: findings on the post", () => {
  it("lets a privacy officer override a block finding with a reason of at least 10 characters", async () => {
    backend.me = privacyMe();
    let findings = [finding()];
    const sent: unknown[] = [];
    server.use(
      ...withFindings(() => findings),
      http.post("*/api/v1/posts/:id/compliance/overrides", async ({ request }) => {
        const body = (await request.json()) as { reason: string };
        sent.push(body);
        const at = "2026-11-25T10:00:00Z";
        findings = [finding({ overridden: { id: "00000000-0000-4000-8000-0000000000aa", by_id: backend.me.user.id, by_name: "Dana Datenschutz", reason: body.reason, at } })];
        return HttpResponse.json({ id: "00000000-0000-4000-8000-0000000000aa", post_id: ids.post, rule: "phi.person_ward", fingerprint: FINGERPRINT, reason: body.reason, created_at: at, created_by_id: backend.me.user.id, revoked_at: null }, { status: 201 });
      }),
    );
    const user = userEvent.setup();
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });

    const panel = (await screen.findByRole("heading", { name: "Compliance-Befunde" })).closest("section") as HTMLElement;
    expect(await within(panel).findByText("1 Befund blockiert die Einreichung und Veröffentlichung.")).toBeInTheDocument();
    const mark = panel.querySelector("mark");
    expect(mark).toHaveTextContent("Herr Muster, Station 3");
    expect(mark).toHaveTextContent("Beginn Blockiert:");
    expect(within(panel).getByText("Blockiert")).toBeInTheDocument();

    await user.click(within(panel).getByRole("button", { name: "Befund freigeben" }));
    const dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText(/Begründung/), "zu kurz");
    await user.click(within(dialog).getByRole("button", { name: "Freigeben" }));
    expect(within(dialog).getByText("Bitte eine Begründung mit mindestens 10 Zeichen angeben.")).toBeInTheDocument();
    expect(sent).toEqual([]);

    await user.clear(within(dialog).getByLabelText(/Begründung/));
    await user.type(within(dialog).getByLabelText(/Begründung/), REASON);
    await user.click(within(dialog).getByRole("button", { name: "Freigeben" }));
    expect(sent).toEqual([{ fingerprint: FINGERPRINT, reason: REASON }]);
    expect(await within(panel).findByText(`Begründung: ${REASON}`)).toBeInTheDocument();
    expect(within(panel).getByText(/Freigegeben von Dana Datenschutz/)).toBeInTheDocument();
    expect(within(panel).getByRole("button", { name: "Freigabe zurücknehmen" })).toBeInTheDocument();
  });

  it("shows overridden findings to an editor without any override controls", async () => {
    backend.me = editorMe();
    const overridden = { id: "00000000-0000-4000-8000-0000000000aa", by_id: ids.post, by_name: "Dana Datenschutz", reason: REASON, at: "2026-11-25T10:00:00Z" };
    const findings = [
      finding({ overridden }),
      finding({ rule: "a11y.alt_text", target: "media", start: null, end: null, overridable: false, message: "Bild ohne Alternativtext." }),
    ];
    server.use(...withFindings(() => findings));
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });

    const panel = (await screen.findByRole("heading", { name: "Compliance-Befunde" })).closest("section") as HTMLElement;
    expect(await within(panel).findByText(`Begründung: ${REASON}`)).toBeInTheDocument();
    expect(within(panel).getByText("Muss im Beitrag behoben werden.")).toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Befund freigeben" })).not.toBeInTheDocument();
    expect(within(panel).queryByRole("button", { name: "Freigabe zurücknehmen" })).not.toBeInTheDocument();
  });
});
