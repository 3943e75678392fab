import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

export function Empty({ message, children }: { message?: string; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="feedback feedback--empty">
      <p>{message ?? t("feedback.empty")}</p>
      {children}
    </div>
  );
}
