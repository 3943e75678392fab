import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Dialog } from "@/components/ui/dialog";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { useWithdrawConsent } from "../api/consents";

/** Withdraw with a written reason; the takedown starts in the same transaction. */
export function WithdrawDialog({ consentId, open, onClose }: { consentId: string; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const withdraw = useWithdrawConsent(consentId);
  const [reason, setReason] = useState("");
  return (
    <Dialog open={open} title={t("consents.withdraw.title")} onClose={onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!reason.trim()) return;
          withdraw.mutate(reason.trim(), {
            onSuccess: () => {
              toast.show(t("consents.withdraw.done"));
              onClose();
            },
          });
        }}
      >
        <p className="notice">{t("consents.withdraw.warning")}</p>
        <TextAreaField label={t("consents.withdraw.reason")} required maxLength={2000} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
        <ApiErrorMessage error={withdraw.error} />
        <div className="form-actions">
          <button type="submit" className="button button--danger" disabled={withdraw.isPending || !reason.trim()}>
            {withdraw.isPending ? t("feedback.saving") : t("consents.withdraw.confirm")}
          </button>
          <button type="button" className="button" onClick={onClose}>
            {t("feedback.cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
