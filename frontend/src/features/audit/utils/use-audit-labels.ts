import { useTranslation } from "react-i18next";
import { isKnownAction, isKnownTarget } from "./audit-actions";

/** Translated labels for action codes and target types; unknown values (newer server) stay raw. */
export function useAuditLabels() {
  const { t } = useTranslation();
  return {
    actionLabel: (code: string): string | null => (isKnownAction(code) ? t(`audit.actions.${code}`) : null),
    targetLabel: (type: string): string => (isKnownTarget(type) ? t(`audit.targets.${type}`) : type),
  };
}
