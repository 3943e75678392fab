import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Media, Post, RequestBody, ResponseBody } from "@/lib/api/types";
import { editorMe, ids, makeChannel, makePost } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { authorized, backend, problem, server, unauthorized } from "@/testing/server";

type MediaBody = RequestBody<"/api/v1/posts/{post_id}/media", "put">;
type Channels = ResponseBody<"/api/v1/channels", "get">;
type Publications = ResponseBody<"/api/v1/posts/{post_id}/publications", "get">;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function media(id: string, filename: string): Media {
  return {
    id,
    created_at: "2026-11-01T09:00:00Z",
    updated_at: "2026-11-01T09:00:00Z",
    organization_id: ids.org,
    clinic_id: ids.clinicA,
    filename,
    content_type: "image/png",
    size_bytes: 8,
    width: 1,
    height: 1,
    content_url: `/api/v1/media/${id}/content`,
  } as Media;
}

interface Recorded {
  uploads: { clinicId: FormDataEntryValue | null; hasFile: boolean }[];
  mediaPuts: MediaBody[];
  contentAuth: (string | null)[];
}

function mediaBackend(recorded: Recorded, uploadAnswer?: () => Response) {
  let n = 0;
  return [
    http.get("*/api/v1/channels", () => HttpResponse.json<Channels>({ items: [makeChannel()], next_cursor: null })),
    http.post("*/api/v1/posts/preview-validation", () => HttpResponse.json({ link: null, targets: [] })),
    http.post("*/api/v1/posts", () => HttpResponse.json<Post>(makePost(), { status: 201 })),
    http.put("*/api/v1/posts/:id/media", async ({ request }) => {
      const body = (await request.json()) as MediaBody;
      recorded.mediaPuts.push(body);
      return HttpResponse.json<Post>(makePost());
    }),
    http.get("*/api/v1/posts/:id", () => HttpResponse.json<Post>(makePost())),
    http.get("*/api/v1/posts/:id/publications", () => HttpResponse.json<Publications>({ items: [], next_cursor: null })),
    http.post("*/api/v1/media", async ({ request }) => {
      if (!authorized(request)) return unauthorized();
      const form = await request.formData();
      const file = form.get("file");
      // A "file" part arrives (jsdom's File loses name and bytes on the way through Node's fetch;
      // the real upload is covered by the browser test).
      recorded.uploads.push({ clinicId: form.get("clinic_id"), hasFile: file !== null });
      if (uploadAnswer) return uploadAnswer();
      n += 1;
      return HttpResponse.json<Media>(media(`00000000-0000-4000-8000-00000000070${n}`, ["station.png", "team.png"][n - 1] ?? "bild.png"), { status: 201 });
    }),
    http.get("*/api/v1/media/:id/content", ({ request }) => {
      recorded.contentAuth.push(request.headers.get("Authorization"));
      return new HttpResponse(PNG, { headers: { "Content-Type": "image/png" } });
    }),
  ];
}

function recorder(): Recorded {
  return { uploads: [], mediaPuts: [], contentAuth: [] };
}

async function fillPost(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Interner Titel"), "Grippeimpfung");
  await user.selectOptions(screen.getByLabelText("Kategorie"), "Gesundheitstipp");
}

beforeEach(() => {
  let urls = 0;
  vi.stubGlobal("URL", Object.assign(URL, { createObjectURL: () => `blob:test-${(urls += 1)}`, revokeObjectURL: () => undefined }));
});
afterEach(() => vi.unstubAllGlobals());

describe("Beiträge: images", () => {
  it("uploads images, shows them via the authenticated endpoint, requires alt text and saves order and alt texts", async () => {
    backend.me = editorMe();
    const recorded = recorder();
    server.use(...mediaBackend(recorded));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });
    await fillPost(user);

    const input = screen.getByLabelText("Bilder hinzufügen");
    expect(input).toHaveAttribute("accept", "image/jpeg,image/png,image/webp,image/gif");
    await user.upload(input, [new File([PNG], "station.png", { type: "image/png" }), new File([PNG], "team.png", { type: "image/png" })]);

    expect(await screen.findByText("Bild 2: team.png")).toBeInTheDocument();
    expect(screen.getByText("Bild 1: station.png")).toBeInTheDocument();
    expect(recorded.uploads).toEqual([
      { clinicId: ids.clinicA, hasFile: true },
      { clinicId: ids.clinicA, hasFile: true },
    ]);
    // Thumbnails come from blob URLs fetched with the bearer token.
    await vi.waitFor(() => expect(document.querySelectorAll("img.media-thumb[src^='blob:']")).toHaveLength(2));
    await vi.waitFor(() => expect(recorded.contentAuth.length).toBe(2));
    expect(recorded.contentAuth.every((value) => value === `Bearer ${backend.token}`)).toBe(true);

    // Without alt texts nothing is sent.
    await user.click(screen.getByRole("button", { name: "Als Entwurf speichern" }));
    const alts = screen.getAllByLabelText("Alternativtext (für Screenreader)");
    expect(alts[0]).toHaveAccessibleDescription(expect.stringContaining("Bitte einen Alternativtext eingeben.") as string);
    expect(recorded.mediaPuts).toHaveLength(0);

    await user.type(alts[0]!, "Blick in die Station");
    await user.type(alts[1]!, "Das Pflegeteam");
    await user.click(screen.getByRole("button", { name: "Bild 2 nach oben" }));
    await user.click(screen.getByRole("button", { name: "Als Entwurf speichern" }));
    await screen.findByRole("heading", { level: 1, name: "Grippeimpfung im Herbst" });
    expect(recorded.mediaPuts).toEqual([
      {
        media: [
          { media_id: "00000000-0000-4000-8000-000000000702", alt_text: "Das Pflegeteam" },
          { media_id: "00000000-0000-4000-8000-000000000701", alt_text: "Blick in die Station" },
        ],
      },
    ]);
  });

  it("removes an image before saving", async () => {
    backend.me = editorMe();
    const recorded = recorder();
    server.use(...mediaBackend(recorded));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });
    await fillPost(user);
    await user.upload(screen.getByLabelText("Bilder hinzufügen"), new File([PNG], "station.png", { type: "image/png" }));
    await user.click(await screen.findByRole("button", { name: "Bild 1 entfernen" }));
    expect(screen.queryByLabelText("Alternativtext (für Screenreader)")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Als Entwurf speichern" }));
    await screen.findByRole("heading", { level: 1, name: "Grippeimpfung im Herbst" });
    expect(recorded.mediaPuts).toHaveLength(0);
  });

  it.each([
    [422, "Nur Bilder im Format JPEG, PNG, WebP oder GIF können hochgeladen werden."],
    [413, "Die Datei ist größer als 20 MiB."],
  ])("shows the backend's %i message beside the file field", async (status, message) => {
    backend.me = editorMe();
    const recorded = recorder();
    server.use(...mediaBackend(recorded, () => problem(status, status === 413 ? "Payload too large" : "Unprocessable", { detail: message })));
    const user = userEvent.setup();
    renderApp("/beitraege/neu", { signedIn: true });
    await fillPost(user);
    const input = screen.getByLabelText("Bilder hinzufügen");
    await user.upload(input, new File([PNG], "bild.png", { type: "image/png" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(`bild.png: ${message}`);
    expect(input).toHaveAccessibleDescription(expect.stringContaining(message) as string);
    expect(input).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByLabelText("Alternativtext (für Screenreader)")).not.toBeInTheDocument();
  });

  it("shows the attached images with their alt text on the post's page", async () => {
    backend.me = editorMe();
    const recorded = recorder();
    const post = makePost({
      media: [
        {
          media_id: "00000000-0000-4000-8000-000000000701",
          position: 0,
          alt_text: "Blick in die Station",
          filename: "station.png",
          content_type: "image/png",
          size_bytes: 8,
          width: 1,
          height: 1,
          content_url: "/api/v1/media/00000000-0000-4000-8000-000000000701/content",
        },
      ],
    });
    server.use(http.get("*/api/v1/posts/:id", () => HttpResponse.json<Post>(post)), ...mediaBackend(recorded));
    renderApp(`/beitraege/${ids.post}`, { signedIn: true });
    expect(await screen.findByRole("img", { name: "Blick in die Station" })).toHaveAttribute("src", "blob:test-1");
    expect(recorded.contentAuth).toEqual([`Bearer ${backend.token}`]);
  });
});
