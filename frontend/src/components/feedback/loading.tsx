import { useTranslation } from "react-i18next";

/** A busy region with a spinner and a text that screen readers announce. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="feedback feedback--loading" role="status" aria-busy="true" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label ?? t("feedback.loading")}</span>
    </div>
  );
}
