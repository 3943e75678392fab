import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { FormError } from "@/components/ui/field";
import { ProfileFields } from "@/components/ui/profile-fields";
import { useToast } from "@/components/ui/toaster";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { Me } from "@/lib/api/types";
import { useMe } from "@/lib/auth/me";
import { asLanguage, setLanguage } from "@/lib/i18n";
import { useUpdateMe } from "../api/account";
import { PasswordForm } from "./password-form";

/** "Mein Konto": name and language of the signed-in user, and the password change. */
export function AccountPage() {
  const { t } = useTranslation();
  const me = useMe();
  return (
    <div className="page">
      <h1>{t("account.title")}</h1>
      {me.isPending ? (
        <Loading />
      ) : me.isError ? (
        <ErrorState error={me.error} onRetry={() => void me.refetch()} />
      ) : (
        <>
          <ProfileForm me={me.data} />
          <PasswordForm />
        </>
      )}
    </div>
  );
}

function ProfileForm({ me }: { me: Me }) {
  const { t } = useTranslation();
  const toast = useToast();
  const update = useUpdateMe();
  const [fullName, setFullName] = useState(me.user.full_name);
  const [locale, setLocale] = useState(asLanguage(me.user.locale));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate(
      { full_name: fullName.trim(), locale },
      {
        onSuccess: async () => {
          await setLanguage(locale);
          toast.show(t("feedback.saved"));
        },
      },
    );
  };
  const errors = fieldErrors(update.error);

  return (
    <section className="card" aria-labelledby="account-profile">
      <h2 id="account-profile">{t("account.profileHeading")}</h2>
      <form className="form" onSubmit={submit}>
        <FormError message={update.isError && !hasFieldErrors(update.error) ? update.error.message : null} />
        <ProfileFields
          labels={{ email: t("account.email"), name: t("account.name"), language: t("account.language") }}
          email={me.user.email}
          fullName={fullName}
          locale={locale}
          errors={errors}
          onFullName={setFullName}
          onLocale={setLocale}
        />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={update.isPending}>
            {update.isPending ? t("feedback.saving") : t("feedback.save")}
          </button>
        </div>
      </form>
    </section>
  );
}
