import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Channel, ChannelConnection, ConnectInput, ConnectStarted, ResponseBody } from "@/lib/api/types";
import { goTo } from "@/lib/navigation";
import { editorMe, ids, makeChannel } from "@/testing/fixtures";
import { renderApp } from "@/testing/render-app";
import { backend, server } from "@/testing/server";

vi.mock("@/lib/navigation", () => ({ goTo: vi.fn() }));

type Channels = ResponseBody<"/api/v1/channels", "get">;
const CONNECTION = "00000000-0000-4000-8000-000000000701";

function channelsBackend(items: Channel[] = []) {
  return http.get("*/api/v1/channels", () => HttpResponse.json<Channels>({ items, next_cursor: null }));
}

function connection(status: ChannelConnection["status"], failure_reason: string | null = null): ChannelConnection {
  return {
    id: CONNECTION,
    created_at: "2026-11-20T08:00:00Z",
    platform: "bluesky",
    clinic_id: ids.clinicA,
    status,
    failure_reason,
    channel_ids: status === "completed" ? [ids.bluesky] : [],
    expires_at: "2026-11-20T09:00:00Z",
    completed_at: null,
  };
}

describe("Einstellungen → Kanäle", () => {
  beforeEach(() => vi.mocked(goTo).mockClear());

  it("lists channels with German status badges", async () => {
    server.use(
      channelsBackend([
        makeChannel(),
        makeChannel({ id: ids.bluesky, platform: "bluesky", display_name: "Altstadt auf Bluesky", status: "needs_reconnect", status_reason: "Das App-Passwort wurde widerrufen." }),
        makeChannel({ id: "00000000-0000-4000-8000-000000000403", platform: "facebook", display_name: "Verbund auf Facebook", clinic_id: null, status: "disconnected" }),
      ]),
    );
    renderApp("/einstellungen/kanaele", { signedIn: true });
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    expect(within(rows[0] as HTMLElement).getByText("verbunden")).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByText("Neu verbinden nötig")).toBeInTheDocument();
    expect(within(rows[1] as HTMLElement).getByText("Das App-Passwort wurde widerrufen.")).toBeInTheDocument();
    expect(within(rows[2] as HTMLElement).getByText("getrennt")).toBeInTheDocument();
    expect(within(rows[2] as HTMLElement).getByText("Ganze Organisation")).toBeInTheDocument();
    expect(within(table).getByRole("button", { name: "Altstadt auf Bluesky neu verbinden" })).toBeInTheDocument();
    expect(within(table).queryByRole("button", { name: "Altstadt auf Mastodon neu verbinden" })).not.toBeInTheDocument();
  });

  it("connects Mastodon by sending the browser to the platform's authorize_url", async () => {
    const bodies: ConnectInput[] = [];
    server.use(
      channelsBackend(),
      http.post("*/api/v1/channels/connect", async ({ request }) => {
        bodies.push((await request.json()) as ConnectInput);
        return HttpResponse.json<ConnectStarted>(
          { connection_id: CONNECTION, authorize_url: "https://social.example/oauth/authorize?client_id=abc&state=xyz" },
          { status: 201 },
        );
      }),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/kanaele", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Kanal verbinden" }));
    const dialog = screen.getByRole("dialog", { name: "Kanal verbinden" });
    await user.selectOptions(within(dialog).getByLabelText("Zuordnung"), "Klinikum Altstadt");
    await user.type(within(dialog).getByLabelText("Mastodon-Server"), "https://social.example");
    await user.click(within(dialog).getByRole("button", { name: "Weiter zur Plattform" }));
    await vi.waitFor(() => expect(goTo).toHaveBeenCalledWith("https://social.example/oauth/authorize?client_id=abc&state=xyz"));
    expect(bodies).toEqual([{ platform: "mastodon", clinic_id: ids.clinicA, instance_url: "https://social.example" }]);
  });

  it("connects Bluesky with handle and app password and polls the connection until it is done", async () => {
    const bodies: ConnectInput[] = [];
    let polls = 0;
    server.use(
      channelsBackend(),
      http.post("*/api/v1/channels/connect", async ({ request }) => {
        bodies.push((await request.json()) as ConnectInput);
        return HttpResponse.json<ConnectStarted>({ connection_id: CONNECTION, authorize_url: null }, { status: 201 });
      }),
      http.get("*/api/v1/channels/connections/:id", () => {
        polls += 1;
        return HttpResponse.json<ChannelConnection>(connection(polls < 2 ? "pending" : "completed"));
      }),
    );
    const user = userEvent.setup();
    const { router } = renderApp("/einstellungen/kanaele", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Kanal verbinden" }));
    const dialog = screen.getByRole("dialog");
    await user.selectOptions(within(dialog).getByLabelText("Plattform"), "Bluesky");
    expect(within(dialog).queryByLabelText("Mastodon-Server")).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Bluesky-Handle"), "altstadt.bsky.social");
    await user.type(within(dialog).getByLabelText("App-Passwort"), "abcd-efgh-ijkl-mnop");
    await user.click(within(dialog).getByRole("button", { name: "Verbinden" }));

    expect(await screen.findByText("Verbindung wird hergestellt …")).toBeInTheDocument();
    expect(router.state.location.search).toEqual({ verbindung: CONNECTION });
    expect(await screen.findByText("Kanal ist verbunden.", {}, { timeout: 4000 })).toBeInTheDocument();
    expect(polls).toBeGreaterThanOrEqual(2);
    expect(goTo).not.toHaveBeenCalled();
    expect(bodies[0]).toMatchObject({ platform: "bluesky", handle: "altstadt.bsky.social", app_password: "abcd-efgh-ijkl-mnop" });
  });

  it("tells the user in German when the platform refused on return", async () => {
    server.use(
      channelsBackend(),
      http.get("*/api/v1/channels/connections/:id", () => HttpResponse.json<ChannelConnection>(connection("failed", "Die Anmeldung wurde abgebrochen."))),
    );
    renderApp(`/einstellungen/kanaele?verbindung=${CONNECTION}`, { signedIn: true });
    expect(await screen.findByRole("alert")).toHaveTextContent("Die Verbindung ist fehlgeschlagen: Die Anmeldung wurde abgebrochen.");
  });

  it("disconnects after a confirmation", async () => {
    let deleted = "";
    server.use(
      channelsBackend([makeChannel()]),
      http.delete("*/api/v1/channels/:id", ({ params }) => {
        deleted = String(params.id);
        return HttpResponse.json<Channel>(makeChannel({ status: "disconnected" }));
      }),
    );
    const user = userEvent.setup();
    renderApp("/einstellungen/kanaele", { signedIn: true });
    await user.click(await screen.findByRole("button", { name: "Altstadt auf Mastodon trennen" }));
    const dialog = screen.getByRole("dialog", { name: "Trennen" });
    expect(dialog).toHaveTextContent("Altstadt auf Mastodon trennen?");
    await user.click(within(dialog).getByRole("button", { name: "Trennen" }));
    expect(await screen.findByText("Altstadt auf Mastodon wurde getrennt.")).toBeInTheDocument();
    expect(deleted).toBe(ids.mastodon);
  });

  it("is not offered to editors", async () => {
    backend.me = editorMe();
    renderApp("/einstellungen/kanaele", { signedIn: true });
    expect(await screen.findByText("Für diese Seite fehlt Ihnen die Berechtigung.")).toBeInTheDocument();
  });
});
