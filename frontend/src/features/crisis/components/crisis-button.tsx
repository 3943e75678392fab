import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Dialog } from "@/components/ui/dialog";
import { SelectField, TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import type { CrisisInput } from "@/lib/api/types";
import { clinicsWith, hasPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { useStartCrisis } from "../api/crisis";

/** The "Krisenmodus" button for crisis.manage users: scope and reason, then every scheduled post stops. */
export function CrisisButton() {
  const { t } = useTranslation();
  const me = useMe();
  const [open, setOpen] = useState(false);
  if (!hasPermission(me.data, PERMISSIONS.crisisManage)) return null;
  return (
    <>
      <button type="button" className="button button--danger button--small" onClick={() => setOpen(true)}>
        {t("crisis.button")}
      </button>
      {open ? <CrisisDialog onClose={() => setOpen(false)} /> : null}
    </>
  );
}

function CrisisDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const start = useStartCrisis();
  const orgWide = me.data?.organization_permissions.includes(PERMISSIONS.crisisManage) ?? false;
  const clinics = clinicsWith(me.data, PERMISSIONS.crisisManage);
  const regions = (me.data?.regions ?? []).filter((region) => orgWide || region.permissions.includes(PERMISSIONS.crisisManage));
  const organizationId = me.data?.user.organization_id ?? "";
  const [scope, setScope] = useState(orgWide ? `organization:${organizationId}` : `clinic:${clinics[0]?.clinic_id ?? ""}`);
  const [reason, setReason] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [type, id] = scope.split(":");
    if (reason.trim().length < 3 || !id) return;
    start.mutate(
      { scope_type: type as CrisisInput["scope_type"], scope_id: id, reason: reason.trim() },
      {
        onSuccess: (result) => {
          const inFlight = result.in_flight_publication_ids.length;
          toast.show(
            [t("crisis.started", { count: result.paused_publications }), inFlight > 0 ? t("crisis.inFlight", { count: inFlight }) : ""]
              .filter(Boolean)
              .join(" "),
          );
          onClose();
        },
      },
    );
  };

  return (
    <Dialog open title={t("crisis.dialogTitle")} onClose={onClose}>
      <form className="form" onSubmit={submit}>
        <p>{t("crisis.explain")}</p>
        <SelectField label={t("crisis.scope")} value={scope} onChange={(e) => setScope(e.target.value)}>
          {orgWide ? <option value={`organization:${organizationId}`}>{t("crisis.organization")}</option> : null}
          {regions.map((region) => (
            <option key={region.region_id} value={`region:${region.region_id}`}>
              {t("crisis.regionOption", { name: region.region_name })}
            </option>
          ))}
          {clinics.map((clinic) => (
            <option key={clinic.clinic_id} value={`clinic:${clinic.clinic_id}`}>
              {clinic.clinic_name}
            </option>
          ))}
        </SelectField>
        <TextAreaField
          label={t("crisis.reason")}
          hint={t("crisis.reasonHint")}
          rows={3}
          required
          minLength={3}
          maxLength={1000}
          value={reason}
          onChange={(e) => setReason(e.target.value)}
        />
        <ApiErrorMessage error={start.error} />
        <div className="form-actions">
          <button type="submit" className="button button--danger" disabled={start.isPending || reason.trim().length < 3}>
            {start.isPending ? t("feedback.saving") : t("crisis.start")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("feedback.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
