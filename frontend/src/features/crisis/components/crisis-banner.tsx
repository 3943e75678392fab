import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { useCrises } from "../api/crisis";
import { useCrisisScopeLabel } from "../utils/scope-label";

/**
 * Shown on every page while a crisis is active in the user's scope. A newly seen crisis is
 * announced once (role="alert"); after the user moves on it stays as a quiet status.
 */
export function CrisisBanner({ pathname }: { pathname: string }) {
  const { t } = useTranslation();
  const crises = useCrises();
  const scopeLabel = useCrisisScopeLabel();
  const active = (crises.data?.items ?? []).filter((crisis) => crisis.active);
  const key = active.map((crisis) => crisis.id).sort().join(",");
  const [seen, setSeen] = useState<{ key: string; path: string } | null>(null);

  useEffect(() => {
    if (key && seen?.key !== key) setSeen({ key, path: pathname });
  }, [key, pathname, seen?.key]);

  if (active.length === 0) return null;
  const fresh = !seen || seen.key !== key || seen.path === pathname;
  return (
    <div className="crisis-banner" role={fresh ? "alert" : "status"}>
      <div className="crisis-banner__inner">
        {active.map((crisis) => (
          <p key={crisis.id}>
            <strong>{t("crisis.banner", { scope: scopeLabel(crisis), reason: crisis.reason })}</strong>
          </p>
        ))}
        <p>{t("crisis.bannerText")}</p>
        <Link to="/krisenmodus">{t("crisis.bannerLink")}</Link>
      </div>
    </div>
  );
}
