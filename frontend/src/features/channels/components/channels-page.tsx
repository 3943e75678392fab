import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { useToast } from "@/components/ui/toaster";
import type { Channel } from "@/lib/api/types";
import { PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDateTime } from "@/lib/format";
import { useChannels, useDisconnect } from "../api/channels";
import { ConnectDialog, type ConnectPreset } from "./connect-dialog";
import { ConnectionStatus } from "./connection-status";

export function ChannelsPage({ connectionId }: { connectionId?: string | undefined }) {
  return (
    <RequirePermission permission={PERMISSIONS.channelsManage}>
      <ChannelsView connectionId={connectionId} />
    </RequirePermission>
  );
}

function ChannelsView({ connectionId }: { connectionId?: string | undefined }) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const channels = useChannels();
  const disconnect = useDisconnect();
  const [connecting, setConnecting] = useState<ConnectPreset | null>(null);
  const [removing, setRemoving] = useState<Channel | null>(null);
  const items = channels.data?.items ?? [];
  const clinicName = (id: string | null) =>
    id === null ? t("channels.organization") : me.data?.clinics.find((clinic) => clinic.clinic_id === id)?.clinic_name ?? "–";

  return (
    <div className="page">
      <div className="page__header">
        <h1>{t("channels.title")}</h1>
        <button type="button" className="button button--primary" onClick={() => setConnecting({})}>
          {t("channels.connect")}
        </button>
      </div>
      <p className="lead">{t("channels.intro")}</p>
      {connectionId ? <ConnectionStatus connectionId={connectionId} /> : null}
      {channels.isPending ? (
        <Loading />
      ) : channels.isError ? (
        <ErrorState error={channels.error} onRetry={() => void channels.refetch()} />
      ) : items.length === 0 ? (
        <Empty message={t("channels.empty")} />
      ) : (
        <table className="table table--stack">
          <thead>
            <tr>
              <th scope="col">{t("channels.columns.name")}</th>
              <th scope="col">{t("channels.columns.platform")}</th>
              <th scope="col">{t("channels.columns.clinic")}</th>
              <th scope="col">{t("channels.columns.status")}</th>
              <th scope="col">{t("channels.columns.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((channel) => (
              <tr key={channel.id}>
                <td data-label={t("channels.columns.name")}>
                  <strong>{channel.display_name}</strong>
                  {channel.handle ? <div className="muted">{channel.handle}</div> : null}
                </td>
                <td data-label={t("channels.columns.platform")}>{t(`posts.platform.${channel.platform}`)}</td>
                <td data-label={t("channels.columns.clinic")}>{clinicName(channel.clinic_id)}</td>
                <td data-label={t("channels.columns.status")}>
                  <span className={`status status--${channel.status}`}>{t(`channels.status.${channel.status}`)}</span>
                  {channel.status_reason ? <div className="muted">{channel.status_reason}</div> : null}
                  {channel.authorization_expires_at && channel.status === "connected" ? (
                    <div className="muted">{t("channels.expires", { when: formatDateTime(channel.authorization_expires_at) })}</div>
                  ) : null}
                </td>
                <td data-label={t("channels.columns.actions")}>
                  <div className="table__actions">
                    {channel.status !== "connected" && channel.platform !== "x" ? (
                      <button
                        type="button"
                        className="button button--small"
                        aria-label={t("channels.reconnectLabel", { name: channel.display_name })}
                        onClick={() =>
                          setConnecting({ platform: channel.platform, clinicId: channel.clinic_id, instanceUrl: channel.instance_url, handle: channel.handle })
                        }
                      >
                        {t("channels.reconnect")}
                      </button>
                    ) : null}
                    {channel.status !== "disconnected" ? (
                      <button
                        type="button"
                        className="button button--small"
                        aria-label={t("channels.disconnectLabel", { name: channel.display_name })}
                        onClick={() => setRemoving(channel)}
                      >
                        {t("channels.disconnect")}
                      </button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {connecting ? <ConnectDialog preset={connecting} onClose={() => setConnecting(null)} /> : null}
      <ConfirmDialog
        open={removing !== null}
        title={t("channels.disconnect")}
        message={t("channels.confirmDisconnect", { name: removing?.display_name ?? "" })}
        confirmLabel={t("channels.disconnect")}
        pending={disconnect.isPending}
        onConfirm={() =>
          removing &&
          disconnect.mutate(removing.id, {
            onSuccess: () => toast.show(t("channels.disconnected", { name: removing.display_name })),
            onError: () => toast.show(t("feedback.genericError"), "error"),
            onSettled: () => setRemoving(null),
          })
        }
        onClose={() => setRemoving(null)}
      />
    </div>
  );
}
