import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, SelectField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { useRoleLabel } from "@/hooks/use-role-label";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { RoleInfo, RoleName, ScopeType } from "@/lib/api/types";
import { currentLanguage } from "@/lib/i18n";
import { useAddAssignment, useRoles } from "../api/role-assignments";
import { useClinics, useOrganizations, useRegions } from "../api/sites";

const SCOPE_TYPES: ScopeType[] = ["organization", "region", "clinic"];

function useScopeOptions(scopeType: ScopeType): { id: string; name: string }[] {
  const organizations = useOrganizations();
  const regions = useRegions();
  const clinics = useClinics();
  if (scopeType === "organization") return organizations.data?.items ?? [];
  const source = scopeType === "region" ? regions.data : clinics.data;
  return (source?.pages.flatMap((page) => page.items) ?? []).filter((item) => item.is_active);
}

export function AddAssignmentForm({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const toast = useToast();
  const roles = useRoles();
  const fallbackLabel = useRoleLabel();
  const add = useAddAssignment(userId);
  const [role, setRole] = useState<RoleName | "">("");
  const [scopeType, setScopeType] = useState<ScopeType>("clinic");
  const [scopeId, setScopeId] = useState("");
  const options = useScopeOptions(scopeType);

  const label = (info: RoleInfo) =>
    (currentLanguage() === "en" ? info.label_en : info.label_de) || fallbackLabel(info.role);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (role === "" || scopeId === "") return;
    add.mutate(
      { user_id: userId, role, scope_type: scopeType, scope_id: scopeId },
      {
        onSuccess: () => {
          setRole("");
          setScopeId("");
          toast.show(t("users.added"));
        },
      },
    );
  };
  const errors = fieldErrors(add.error);

  return (
    <form className="form form--inline" onSubmit={submit} aria-labelledby="add-assignment">
      <h3 id="add-assignment">{t("users.addHeading")}</h3>
      <FormError message={add.isError && !hasFieldErrors(add.error) ? add.error.message : null} />
      <SelectField
        label={t("users.role")}
        required
        value={role}
        error={errors.role}
        onChange={(event) => setRole(event.target.value as RoleName)}
      >
        <option value="">{t("users.choose")}</option>
        {(roles.data?.items ?? []).map((info) => (
          <option key={info.role} value={info.role}>
            {label(info)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label={t("users.scopeType")}
        value={scopeType}
        error={errors.scope_type}
        onChange={(event) => {
          setScopeType(event.target.value as ScopeType);
          setScopeId("");
        }}
      >
        {SCOPE_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`scope.${type}`)}
          </option>
        ))}
      </SelectField>
      <SelectField
        label={t("users.scope")}
        required
        value={scopeId}
        error={errors.scope_id}
        onChange={(event) => setScopeId(event.target.value)}
      >
        <option value="">{t("users.choose")}</option>
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </SelectField>
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={add.isPending}>
          {add.isPending ? t("feedback.saving") : t("users.add")}
        </button>
      </div>
    </form>
  );
}
