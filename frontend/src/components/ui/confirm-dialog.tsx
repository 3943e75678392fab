import { useTranslation } from "react-i18next";
import { Dialog } from "./dialog";

interface ConfirmDialogProps {
  open: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  pending?: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

export function ConfirmDialog({ open, title, message, confirmLabel, pending, onConfirm, onClose }: ConfirmDialogProps) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <p>{message}</p>
      <div className="form-actions">
        <button type="button" className="button button--primary" disabled={pending} onClick={onConfirm}>
          {pending ? t("feedback.saving") : confirmLabel}
        </button>
        <button type="button" className="button" onClick={onClose}>
          {t("feedback.cancel")}
        </button>
      </div>
    </Dialog>
  );
}
