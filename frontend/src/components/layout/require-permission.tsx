import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Loading } from "@/components/feedback/loading";
import type { Permission } from "@/lib/api/types";
import { hasPermission, useMe } from "@/lib/auth/me";

/** Renders its children only for users who hold `permission` somewhere; others see a notice. */
export function RequirePermission({ permission, children }: { permission: Permission; children: ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (!hasPermission(me.data, permission)) {
    return (
      <div className="feedback feedback--error" role="alert">
        <p>{t("feedback.forbidden")}</p>
      </div>
    );
  }
  return <>{children}</>;
}
