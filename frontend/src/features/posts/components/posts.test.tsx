import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import type { Platform, Post, PreviewInput, RequestBody, ResponseBody, TargetCheck } from "@/lib/api/types";
import { editorMe, ids, makeChannel, makePost, moderatorMe } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, server } from "@/testing/server";

type Preview = ResponseBody<"/api/v1/posts/preview-validation", "post">;
type Publications = ResponseBody<"/api/v1/posts/{post_id}/publications", "get">;
type Channels = ResponseBody<"/api/v1/channels", "get">;

const NAMES: Record<string, string> = { facebook: "Facebook", instagram: "Instagram", mastodon: "Mastodon", bluesky: "Bluesky" };
const LIMITS: Record<string, number> = { facebook: 63206, instagram: 2200, mastodon: 500, bluesky: 300 };

/** The preview endpoint as the backend answers it: length, limit and the German over-limit issue. */
function check(platform: Platform, text: string, channelId: string | null = null): TargetCheck {
  const limit = LIMITS[platform] ?? 500;
  const length = [...text].length;
  const issues =
    length > limit
      ? [{ field: "text", code: "text_too_long", message: `Der Text ist für ${NAMES[platform]} zu lang: ${length} von höchstens ${limit} Zeichen.`, blocking: true }]
      : [];
  return { channel_id: channelId, platform, length, limit, unit: platform === "bluesky" ? "graphemes" : "chars", issues };
}

function postsBackend(options: { post?: Post; previews?: PreviewInput[]; created?: unknown[] } = {}) {
  const channels = [makeChannel(), makeChannel({ id: ids.bluesky, platform: "bluesky", display_name: "Altstadt auf Bluesky", instance_url: null })];
  return [
    http.get("*/api/v1/channels", () => HttpResponse.json<Channels>({ items: channels, next_cursor: null })),
    http.post("*/api/v1/posts/preview-validation", async ({ request }) => {
      const body = (await request.json()) as PreviewInput;
      options.previews?.push(body);
      const targets = [
        ...(body.channel_ids ?? []).map((id) => {
          const channel = channels.find((item) => item.id === id);
          return check(channel?.platform ?? "mastodon", body.overrides?.[id] ?? body.base_text ?? "", id);
        }),
        ...(body.platforms ?? []).map((platform) => check(platform, body.base_text ?? "")),
      ];
      return HttpResponse.json<Preview>({ link: body.link_url ?? null, targets });
    }),
    http.post("*/api/v1/posts", async ({ request }) => {
      const body = (await request.json()) as RequestBody<"/api/v1/posts", "post">;
      options.created?.push(body);
      return HttpResponse.json<Post>(makePost({ title: body.title, base_text: body.base_text ?? "" }), { status: 201 });
    }),
    http.get("*/api/v1/posts/:id", () => HttpResponse.json<Post>(options.post ?? makePost())),
    http.get("*/api/v1/posts/:id/publications", () => HttpResponse.json<Publications>({ items: [], next_cursor: null })),
  ];
}

describe("Beiträge: composer", () => {
  it("shows the Bluesky counter over its limit in red with the German message", async () => {
    backend.me = editorMe();
    const previews: PreviewInput[] = [];
    server.use(...postsBackend({ previews }));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });

    const text = await screen.findByLabelText("Text");
    await user.click(text);
    await user.paste("x".repeat(301));

    const bluesky = await screen.findByTestId("counter-bluesky");
    const counter = await within(bluesky).findByText(/301 \/ 300/);
    expect(counter).toHaveClass("counter--over");
    expect(counter).toHaveAccessibleName("Bluesky: 301 von 300 Zeichen");
    expect(within(bluesky).getByText("Der Text ist für Bluesky zu lang: 301 von höchstens 300 Zeichen.")).toHaveClass("issue--blocking");
    expect(bluesky).toHaveClass("preview__target--over");
    // Mastodon allows 500: the same text is fine there.
    const mastodon = screen.getByTestId("counter-mastodon");
    expect(within(mastodon).getByText("301 / 500")).not.toHaveClass("counter--over");
    // No channel chosen: every platform is counted, and the requests are debounced.
    expect(previews.at(-1)?.platforms).toEqual(["facebook", "instagram", "linkedin", "mastodon", "bluesky"]);
    expect(previews.length).toBeLessThanOrEqual(3);
  });

  it("counts a channel's own text and creates the draft with its variants", async () => {
    backend.me = editorMe();
    const previews: PreviewInput[] = [];
    const created: RequestBody<"/api/v1/posts", "post">[] = [];
    server.use(...postsBackend({ previews, created }));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });

    await user.type(await screen.findByLabelText("Interner Titel"), "Grippeimpfung");
    await user.selectOptions(screen.getByLabelText("Kategorie"), "Gesundheitstipp");
    expect(screen.getByLabelText("Klinik")).toHaveValue(ids.clinicA);
    await user.type(screen.getByLabelText("Text"), "Jetzt impfen");
    await user.click(await screen.findByRole("checkbox", { name: "Altstadt auf Bluesky (Bluesky)" }));
    await user.click(screen.getByRole("checkbox", { name: "Eigenen Text für Altstadt auf Bluesky verwenden" }));
    const own = screen.getByLabelText("Eigener Text für Altstadt auf Bluesky");
    await user.clear(own);
    await user.type(own, "Kurz!");

    const counter = await screen.findByText("5 / 300", {}, { timeout: 3000 });
    expect(counter.closest("li")).toHaveTextContent("Altstadt auf Bluesky");
    expect(counter.closest("li")).toHaveTextContent("Kurz!");
    expect(previews.at(-1)).toMatchObject({ channel_ids: [ids.bluesky], overrides: { [ids.bluesky]: "Kurz!" }, platforms: [] });

    await user.click(screen.getByRole("button", { name: "Als Entwurf speichern" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Grippeimpfung" })).toBeInTheDocument();
    expect(created[0]).toMatchObject({
      clinic_id: ids.clinicA,
      title: "Grippeimpfung",
      category: "health_tip",
      base_text: "Jetzt impfen",
      variants: [{ channel_id: ids.bluesky, text_override: "Kurz!" }],
    });
  });

  it("asks for the required fields before sending anything", async () => {
    backend.me = editorMe();
    const created: unknown[] = [];
    server.use(...postsBackend({ created }));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Als Entwurf speichern" }));
    expect(screen.getByLabelText("Interner Titel")).toHaveAccessibleDescription("Bitte ausfüllen.");
    expect(created).toHaveLength(0);
  });
});

describe("Beiträge: list", () => {
  it("lists posts with German status and filters by status", async () => {
    backend.me = editorMe();
    const queries: URLSearchParams[] = [];
    server.use(
      http.get("*/api/v1/posts", ({ request }) => {
        queries.push(new URL(request.url).searchParams);
        return HttpResponse.json({ items: [makePost({ status: "in_review" })], next_cursor: null });
      }),
    );
    const user = userEvent.setup();
    renderApp("/beitraege", { signedIn: true });
    const table = await screen.findByRole("table");
    expect(within(table).getByRole("link", { name: "Grippeimpfung im Herbst" })).toHaveAttribute("href", `/beitraege/${ids.post}`);
    expect(within(table).getByText("In Prüfung")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Status"), "Eingeplant");
    await screen.findByRole("table");
    expect(queries.at(-1)?.getAll("status")).toEqual(["scheduled"]);
  });

  it("is closed to users without posts.read", async () => {
    backend.me = moderatorMe();
    renderApp("/beitraege", { signedIn: true });
    expect(await screen.findByText("Für diese Seite fehlt Ihnen die Berechtigung.")).toBeInTheDocument();
  });
});
