import { useTranslation } from "react-i18next";
import { ApiError } from "@/lib/api/problem";

interface ErrorStateProps {
  error?: unknown;
  title?: string;
  onRetry?: () => void;
}

/** A failed load: what went wrong (the problem's detail when there is one) and a retry button. */
export function ErrorState({ error, title, onRetry }: ErrorStateProps) {
  const { t } = useTranslation();
  const detail = error instanceof ApiError ? error.problem?.detail ?? error.problem?.title : null;
  return (
    <div className="feedback feedback--error" role="alert">
      <p className="feedback__title">{title ?? t("feedback.errorTitle")}</p>
      {detail ? <p>{detail}</p> : null}
      {onRetry ? (
        <button type="button" className="button" onClick={onRetry}>
          {t("feedback.retry")}
        </button>
      ) : null}
    </div>
  );
}
