import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouterState } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { CrisisBanner } from "@/features/crisis/components/crisis-banner";
import { CrisisButton } from "@/features/crisis/components/crisis-button";
import { NotificationBell } from "@/features/notifications/components/notification-bell";
import { Loading } from "@/components/feedback/loading";
import { logout } from "@/lib/auth/logout";
import { hasPermission, useMe } from "@/lib/auth/me";
import { asLanguage, setLanguage, storedLanguage } from "@/lib/i18n";
import { NAV_ITEMS, visibleNavItems } from "../nav-config";
import { MainNav } from "./main-nav";
import { UserMenu } from "./user-menu";

const NAV_ID = "main-navigation";

/** Header (product, navigation, user menu), skip link and the main landmark around every signed-in page. */
export function AppFrame() {
  const { t } = useTranslation();
  const me = useMe();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const pathname = useRouterState({ select: (state) => state.location.pathname });

  useEffect(() => setMenuOpen(false), [pathname]);

  const locale = me.data?.user.locale;
  useEffect(() => {
    // The account's language applies unless this browser has an explicit choice.
    if (locale && storedLanguage() === null) void setLanguage(asLanguage(locale), false);
  }, [locale]);

  const onLogout = async () => {
    await logout();
    queryClient.clear();
    await navigate({ to: "/login" });
  };

  const items = visibleNavItems(NAV_ITEMS, (permission) => hasPermission(me.data, permission));

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t("app.skipLink")}
      </a>
      <header className="app-header">
        <div className="app-header__bar">
          <Link to="/" className="brand">
            {t("app.name")}
          </Link>
          <button
            type="button"
            className="menu-button"
            aria-label={t("nav.menu")}
            aria-expanded={menuOpen}
            aria-controls={NAV_ID}
            onClick={() => setMenuOpen((open) => !open)}
          >
            <span className="menu-button__icon" aria-hidden="true" />
          </button>
          <CrisisButton />
          {me.data ? <NotificationBell /> : null}
          {me.data ? <UserMenu me={me.data} onLogout={() => void onLogout()} /> : null}
        </div>
        <MainNav id={NAV_ID} items={items} open={menuOpen} onNavigate={() => setMenuOpen(false)} />
      </header>
      <CrisisBanner pathname={pathname} />
      <main id="main" className="app-main" tabIndex={-1}>
        {me.isPending ? <Loading /> : me.isError ? <ErrorState error={me.error} onRetry={() => void me.refetch()} /> : <Outlet />}
      </main>
    </div>
  );
}
