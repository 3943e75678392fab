import { Link } from "@tanstack/react-router";
import { useEffect, useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "@/lib/api/types";
import { currentLanguage, setLanguage, type Language } from "@/lib/i18n";
import { useRoleLabel } from "@/hooks/use-role-label";

interface UserMenuProps {
  me: Me;
  onLogout: () => void;
}

/** Name, role summary, language switch, account link and sign-out, behind one disclosure button. */
export function UserMenu({ me, onLogout }: UserMenuProps) {
  const { t } = useTranslation();
  const roleLabel = useRoleLabel();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    const onPointer = (event: PointerEvent) => {
      if (rootRef.current && !rootRef.current.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open]);

  const roles = [...new Set(me.role_assignments.map((assignment) => roleLabel(assignment.role)))];
  const summary = roles.length > 0 ? roles.join(", ") : t("userMenu.noRoles");
  const language = currentLanguage();
  const choose = (next: Language) => void setLanguage(next);

  return (
    <div className="user-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="user-menu__button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((value) => !value)}
      >
        <span className="user-menu__name">{me.user.full_name}</span>
        <span className="visually-hidden"> – {t("userMenu.button")}</span>
      </button>
      <div id={panelId} className="user-menu__panel" hidden={!open}>
        <p className="user-menu__who">
          <strong>{me.user.full_name}</strong>
          <span className="muted">{me.user.email}</span>
          <span className="muted">{summary}</span>
        </p>
        <div role="group" aria-label={t("userMenu.language")} className="user-menu__languages">
          <button type="button" className="button" aria-pressed={language === "de"} lang="de" onClick={() => choose("de")}>
            {t("userMenu.german")}
          </button>
          <button type="button" className="button" aria-pressed={language === "en"} lang="en" onClick={() => choose("en")}>
            {t("userMenu.english")}
          </button>
        </div>
        <Link to="/konto" className="user-menu__link" onClick={() => setOpen(false)}>
          {t("userMenu.account")}
        </Link>
        <button type="button" className="button user-menu__logout" onClick={onLogout}>
          {t("userMenu.logout")}
        </button>
      </div>
    </div>
  );
}
