import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { QueueBadge } from "@/features/approvals/components/queue-badge";
import type { NavItem } from "../nav-config";

interface MainNavProps {
  id: string;
  items: NavItem[];
  open: boolean;
  onNavigate: () => void;
}

export function MainNav({ id, items, open, onNavigate }: MainNavProps) {
  const { t } = useTranslation();
  return (
    <nav id={id} className={`main-nav${open ? " main-nav--open" : ""}`} aria-label={t("nav.label")}>
      <ul className="main-nav__list">
        {items.map((item) => (
          <li key={item.key}>
            <Link
              to={item.to}
              className="main-nav__link"
              activeOptions={{ exact: item.to === "/" || Boolean(item.children) }}
              onClick={onNavigate}
            >
              {t(item.label)}
              {item.key === "approvals" ? <QueueBadge /> : null}
            </Link>
            {item.children ? (
              <ul className="main-nav__sub">
                {item.children.map((child) => (
                  <li key={child.key}>
                    <Link to={child.to} className="main-nav__link main-nav__link--sub" onClick={onNavigate}>
                      {t(child.label)}
                    </Link>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ul>
    </nav>
  );
}
