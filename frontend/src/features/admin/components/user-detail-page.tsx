import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog } from "@/components/ui/dialog";
import { FormError } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { PERMISSIONS } from "@/lib/auth/me";
import type { PasswordSetup, User } from "@/lib/api/types";
import { useResetUserPassword, useUpdateUser, useUser } from "../api/users";
import { OneTimeLink } from "./one-time-link";
import { RoleAssignments } from "./role-assignments";
import { UserProfileForm } from "./user-profile-form";

export function UserDetailPage({ userId }: { userId: string }) {
  return (
    <RequirePermission permission={PERMISSIONS.usersManage}>
      <UserDetail userId={userId} />
    </RequirePermission>
  );
}

function UserDetail({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const user = useUser(userId);

  return (
    <div className="page">
      <Link to="/einstellungen/benutzer" className="back-link">
        ← {t("users.back")}
      </Link>
      {user.isPending ? (
        <Loading />
      ) : user.isError ? (
        <ErrorState error={user.error} onRetry={() => void user.refetch()} />
      ) : (
        <>
          <div className="page__header">
            <h1>{user.data.full_name}</h1>
            <span className={`badge${user.data.is_active ? "" : " badge--muted"}`}>
              {user.data.is_active ? t("feedback.active") : t("feedback.inactive")}
            </span>
          </div>
          <section className="card" aria-labelledby="user-details">
            <h2 id="user-details">{t("users.detailsHeading")}</h2>
            <UserProfileForm user={user.data} />
            <AccountActions user={user.data} />
          </section>
          <RoleAssignments userId={userId} />
        </>
      )}
    </div>
  );
}

function AccountActions({ user }: { user: User }) {
  const { t } = useTranslation();
  const toast = useToast();
  const update = useUpdateUser(user.id);
  const reset = useResetUserPassword(user.id);
  const [confirming, setConfirming] = useState(false);
  const [resetLink, setResetLink] = useState<PasswordSetup | null>(null);

  const toggleActive = () =>
    update.mutate(
      { is_active: !user.is_active },
      {
        onSuccess: () => {
          setConfirming(false);
          toast.show(user.is_active ? t("users.deactivated") : t("users.reactivated"));
        },
      },
    );

  return (
    <div className="form-actions">
      <FormError message={update.isError || reset.isError ? (update.error ?? reset.error)?.message : null} />
      <button type="button" className="button" onClick={() => setConfirming(true)}>
        {user.is_active ? t("users.deactivate") : t("users.reactivate")}
      </button>
      <button
        type="button"
        className="button"
        disabled={reset.isPending || !user.is_active}
        onClick={() => reset.mutate(undefined, { onSuccess: setResetLink })}
      >
        {reset.isPending ? t("feedback.saving") : t("users.resetPassword")}
      </button>
      <ConfirmDialog
        open={confirming}
        title={user.is_active ? t("users.deactivate") : t("users.reactivate")}
        message={
          user.is_active
            ? t("users.confirmDeactivate", { name: user.full_name })
            : t("users.confirmReactivate", { name: user.full_name })
        }
        confirmLabel={user.is_active ? t("users.deactivate") : t("users.reactivate")}
        pending={update.isPending}
        onConfirm={toggleActive}
        onClose={() => setConfirming(false)}
      />
      <Dialog open={resetLink !== null} title={t("users.resetTitle")} onClose={() => setResetLink(null)}>
        {resetLink ? <OneTimeLink setup={resetLink} /> : null}
        <div className="form-actions">
          <button type="button" className="button button--primary" onClick={() => setResetLink(null)}>
            {t("feedback.close")}
          </button>
        </div>
      </Dialog>
    </div>
  );
}
