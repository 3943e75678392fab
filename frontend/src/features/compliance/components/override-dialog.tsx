import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ApiErrorMessage } from "@/components/feedback/api-error";
import { Dialog } from "@/components/ui/dialog";
import { TextAreaField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { useCreateOverride, type PostFinding } from "../api/compliance";

const REASON_MIN = 10;

/** The privacy officer's decision: a written reason (at least 10 characters) for one finding. */
export function OverrideDialog({ postId, finding, onClose }: { postId: string; finding: PostFinding | null; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const create = useCreateOverride(postId);
  const [reason, setReason] = useState("");
  const [tooShort, setTooShort] = useState(false);

  const close = () => {
    setReason("");
    setTooShort(false);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!finding) return;
    if (reason.trim().length < REASON_MIN) {
      setTooShort(true);
      return;
    }
    create.mutate(
      { fingerprint: finding.fingerprint, reason: reason.trim() },
      {
        onSuccess: () => {
          toast.show(t("compliance.overrideDone"));
          close();
        },
      },
    );
  };

  return (
    <Dialog open={finding !== null} title={t("compliance.overrideTitle")} onClose={close}>
      {finding ? (
        <form className="form" onSubmit={submit} noValidate>
          <p>
            <strong>{finding.message}</strong> <span className="muted">({finding.rule})</span>
          </p>
          <p className="muted">{t("compliance.overrideIntro")}</p>
          <TextAreaField
            label={t("compliance.overrideReason")}
            hint={t("compliance.overrideReasonHint")}
            rows={4}
            maxLength={2000}
            required
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            error={tooShort && reason.trim().length < REASON_MIN ? t("compliance.overrideReasonShort") : undefined}
          />
          <ApiErrorMessage error={create.error} />
          <div className="form-actions">
            <button type="submit" className="button button--primary" disabled={create.isPending}>
              {create.isPending ? t("feedback.saving") : t("compliance.overrideConfirm")}
            </button>
            <button type="button" className="button" onClick={close}>
              {t("feedback.cancel")}
            </button>
          </div>
        </form>
      ) : null}
    </Dialog>
  );
}
