import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import { hasPermission, useMe } from "@/lib/auth/me";
import { NAV_ITEMS, visibleNavItems } from "./nav-config";

const DESCRIPTIONS = {
  users: "settings.usersText",
  sites: "settings.sitesText",
  audit: "settings.auditText",
  channels: "settings.channelsText",
  policies: "approvals.settingsText",
} as const;

/** /einstellungen: the settings pages this user may open. */
export function SettingsIndex() {
  const { t } = useTranslation();
  const me = useMe();
  const settings = visibleNavItems(NAV_ITEMS, (permission) => hasPermission(me.data, permission)).find(
    (item) => item.key === "settings",
  );
  const pages = settings?.children ?? [];

  return (
    <div className="page">
      <h1>{t("settings.title")}</h1>
      <p className="lead">{t("settings.intro")}</p>
      {pages.length === 0 ? (
        <Empty message={t("feedback.forbidden")} />
      ) : (
        <ul className="tiles">
          {pages.map((page) => (
            <li key={page.key} className="tile">
              <Link to={page.to} className="tile__link">
                {t(page.label)}
              </Link>
              {page.key in DESCRIPTIONS ? (
                <p className="muted">{t(DESCRIPTIONS[page.key as keyof typeof DESCRIPTIONS])}</p>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
