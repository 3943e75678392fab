import { useTranslation } from "react-i18next";
import type { Crisis } from "@/lib/api/types";
import { useMe } from "@/lib/auth/me";

/** "Ganze Organisation", the clinic's name, or the region's name. */
export function useCrisisScopeLabel(): (crisis: Pick<Crisis, "scope_type" | "scope_id">) => string {
  const { t } = useTranslation();
  const me = useMe();
  return ({ scope_type: type, scope_id: id }) => {
    if (type === "organization") return t("crisis.organization");
    if (type === "clinic") return me.data?.clinics.find((clinic) => clinic.clinic_id === id)?.clinic_name ?? t("scope.clinic");
    const region = me.data?.regions.find((item) => item.region_id === id);
    return region ? t("crisis.regionOption", { name: region.region_name }) : t("crisis.region");
  };
}
