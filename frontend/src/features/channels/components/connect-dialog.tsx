import { useNavigate } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Dialog } from "@/components/ui/dialog";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { fieldErrors } from "@/lib/api/problem";
import type { ConnectInput, Platform } from "@/lib/api/types";
import { clinicsWith, PERMISSIONS, useMe } from "@/lib/auth/me";
import { goTo } from "@/lib/navigation";
import { useConnect } from "../api/channels";

type ConnectPlatform = ConnectInput["platform"];
const PLATFORMS: ConnectPlatform[] = ["mastodon", "facebook", "instagram", "linkedin", "bluesky"];
const ORGANIZATION = "organization";

export interface ConnectPreset {
  platform?: Platform;
  clinicId?: string | null;
  instanceUrl?: string | null;
  handle?: string | null;
}

function asConnectPlatform(platform: Platform | undefined): ConnectPlatform {
  return PLATFORMS.find((item) => item === platform) ?? "mastodon";
}

/** Start connecting (or reconnecting) an account: OAuth platforms go to the platform's consent page. */
export function ConnectDialog({ preset, onClose }: { preset: ConnectPreset; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useMe();
  const orgWide = me.data?.organization_permissions.includes(PERMISSIONS.channelsManage) ?? false;
  const clinics = clinicsWith(me.data, PERMISSIONS.channelsManage);
  const [platform, setPlatform] = useState<ConnectPlatform>(asConnectPlatform(preset.platform));
  const [assign, setAssign] = useState(preset.clinicId ?? (orgWide ? ORGANIZATION : clinics[0]?.clinic_id ?? ""));
  const [instanceUrl, setInstanceUrl] = useState(preset.instanceUrl ?? "");
  const [handle, setHandle] = useState(preset.handle ?? "");
  const [appPassword, setAppPassword] = useState("");
  const [badRedirect, setBadRedirect] = useState(false);
  const connect = useConnect();
  const errors = fieldErrors(connect.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBadRedirect(false);
    const input: ConnectInput = { platform, clinic_id: assign === ORGANIZATION ? null : assign };
    if (platform === "mastodon" && instanceUrl.trim()) input.instance_url = instanceUrl.trim();
    if (platform === "bluesky") Object.assign(input, { handle: handle.trim(), app_password: appPassword });
    connect.mutate(input, {
      onSuccess: ({ connection_id, authorize_url }) => {
        if (authorize_url) {
          if (/^https?:\/\//.test(authorize_url)) goTo(authorize_url);
          else setBadRedirect(true);
          return;
        }
        onClose();
        void navigate({ to: "/einstellungen/kanaele", search: { verbindung: connection_id } });
      },
    });
  };

  return (
    <Dialog open title={t("channels.dialogTitle")} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <SelectField label={t("channels.platform")} value={platform} onChange={(e) => setPlatform(e.target.value as ConnectPlatform)}>
          {PLATFORMS.map((item) => (
            <option key={item} value={item}>
              {t(`posts.platform.${item}`)}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("channels.assign")} value={assign} onChange={(e) => setAssign(e.target.value)} error={errors.clinic_id}>
          {orgWide ? <option value={ORGANIZATION}>{t("channels.organization")}</option> : null}
          {clinics.map((clinic) => (
            <option key={clinic.clinic_id} value={clinic.clinic_id}>
              {clinic.clinic_name}
            </option>
          ))}
        </SelectField>
        {platform === "mastodon" ? (
          <TextField
            label={t("channels.instanceUrl")}
            hint={t("channels.instanceHint")}
            type="url"
            inputMode="url"
            value={instanceUrl}
            onChange={(e) => setInstanceUrl(e.target.value)}
            error={errors.instance_url}
          />
        ) : null}
        {platform === "bluesky" ? (
          <>
            <TextField
              label={t("channels.handle")}
              hint={t("channels.handleHint")}
              required
              autoComplete="username"
              value={handle}
              onChange={(e) => setHandle(e.target.value)}
              error={errors.handle}
            />
            <TextField
              label={t("channels.appPassword")}
              hint={t("channels.appPasswordHint")}
              type="password"
              required
              autoComplete="current-password"
              value={appPassword}
              onChange={(e) => setAppPassword(e.target.value)}
              error={errors.app_password}
            />
          </>
        ) : (
          <p className="muted">{t("channels.redirectHint")}</p>
        )}
        <ApiErrorMessage error={connect.error} />
        <FormError message={badRedirect ? t("channels.invalidRedirect") : null} />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={connect.isPending}>
            {connect.isPending ? t("feedback.saving") : t(platform === "bluesky" ? "channels.startBluesky" : "channels.start")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("feedback.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
