import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** The centred card used by the public pages (sign-in, password reset). */
export function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="auth-page">
      <main id="main" className="auth-card">
        <p className="brand brand--large">{t("app.name")}</p>
        <p className="muted">{t("app.tagline")}</p>
        <h1>{title}</h1>
        {children}
      </main>
    </div>
  );
}
