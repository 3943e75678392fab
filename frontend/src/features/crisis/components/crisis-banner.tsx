import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "@/components/ui/dialog";
import { hasPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { useCrises } from "../api/crisis";
import { useCrisisScopeLabel } from "../utils/scope-label";
import { DarkSitePanel } from "./dark-site-panel";

/**
 * Shown on every page while a crisis is active in the user's scope. A newly seen crisis is
 * announced once (role="alert"); after the user moves on it stays as a quiet status. Comms leads
 * open the dark-site panel from here to publish prepared holding statements.
 */
export function CrisisBanner({ pathname }: { pathname: string }) {
  const { t } = useTranslation();
  const crises = useCrises();
  const scopeLabel = useCrisisScopeLabel();
  const me = useMe();
  const [darkSite, setDarkSite] = useState(false);
  const active = (crises.data?.items ?? []).filter((crisis) => crisis.active);
  const key = active.map((crisis) => crisis.id).sort().join(",");
  const [seen, setSeen] = useState<{ key: string; path: string } | null>(null);

  useEffect(() => {
    if (key && seen?.key !== key) setSeen({ key, path: pathname });
  }, [key, pathname, seen?.key]);

  if (active.length === 0) return null;
  const fresh = !seen || seen.key !== key || seen.path === pathname;
  return (
    <>
    <div className="crisis-banner" role={fresh ? "alert" : "status"}>
      <div className="crisis-banner__inner">
        {active.map((crisis) => (
          <p key={crisis.id}>
            <strong>{t("crisis.banner", { scope: scopeLabel(crisis), reason: crisis.reason })}</strong>
          </p>
        ))}
        <p>{t("crisis.bannerText")}</p>
        <Link to="/krisenmodus">{t("crisis.bannerLink")}</Link>
        {hasPermission(me.data, PERMISSIONS.crisisManage) ? (
          <button type="button" className="button button--small" onClick={() => setDarkSite(true)}>
            {t("crisis.darkSite.open")}
          </button>
        ) : null}
      </div>
    </div>
    <Dialog open={darkSite} title={t("crisis.darkSite.title")} onClose={() => setDarkSite(false)}>
      <DarkSitePanel />
    </Dialog>
    </>
  );
}
