import { useTranslation } from "react-i18next";
import { SelectField } from "@/components/ui/field";
import { groupedActions } from "../utils/audit-actions";
import { useAuditLabels } from "../utils/use-audit-labels";

interface AuditActionSelectProps {
  value: string;
  onChange: (action: string) => void;
}

/** The action filter: every known action by its label, grouped by area; "" means all actions. */
export function AuditActionSelect({ value, onChange }: AuditActionSelectProps) {
  const { t } = useTranslation();
  const { actionLabel } = useAuditLabels();
  return (
    <SelectField label={t("audit.action")} name="action" value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">{t("audit.allActions")}</option>
      {groupedActions().map(({ group, actions }) => (
        <optgroup key={group} label={t(`audit.groups.${group}`)}>
          {actions.map((action) => (
            <option key={action} value={action}>
              {actionLabel(action)}
            </option>
          ))}
        </optgroup>
      ))}
    </SelectField>
  );
}
