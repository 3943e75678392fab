import { useTranslation } from "react-i18next";
import { RequirePermission } from "@/components/layout/require-permission";
import { PERMISSIONS } from "@/lib/auth/me";
import { ClinicsSection } from "./clinics-section";
import { RegionsSection } from "./regions-section";

export function SitesPage() {
  const { t } = useTranslation();
  return (
    <RequirePermission permission={PERMISSIONS.organizationManage}>
      <div className="page">
        <h1>{t("sites.title")}</h1>
        <ClinicsSection />
        <RegionsSection />
      </div>
    </RequirePermission>
  );
}
