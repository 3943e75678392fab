import { useTranslation } from "react-i18next";
import type { ConsentState } from "@/lib/api/types";

export function ConsentStateBadge({ state }: { state: ConsentState }) {
  const { t } = useTranslation();
  return <span className={`status status--consent-${state}`}>{t(`consents.state.${state}`)}</span>;
}

export function useValidity() {
  const { t } = useTranslation();
  return (from: string, until: string | null | undefined) =>
    t("consents.period", {
      from: new Date(from).toLocaleDateString(),
      until: until ? new Date(until).toLocaleDateString() : t("consents.open"),
    });
}
