import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError } from "@/components/ui/field";
import { ProfileFields } from "@/components/ui/profile-fields";
import { useToast } from "@/components/ui/toaster";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { Locale, User } from "@/lib/api/types";
import { asLanguage } from "@/lib/i18n";
import { useUpdateUser } from "../api/users";

export function UserProfileForm({ user }: { user: User }) {
  const { t } = useTranslation();
  const toast = useToast();
  const update = useUpdateUser(user.id);
  const [fullName, setFullName] = useState(user.full_name);
  const [locale, setLocale] = useState<Locale>(asLanguage(user.locale));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    update.mutate({ full_name: fullName.trim(), locale }, { onSuccess: () => toast.show(t("feedback.saved")) });
  };
  const errors = fieldErrors(update.error);

  return (
    <form className="form" onSubmit={submit}>
      <FormError message={update.isError && !hasFieldErrors(update.error) ? update.error.message : null} />
      <ProfileFields
        labels={{ email: t("users.email"), name: t("users.name"), language: t("users.language") }}
        email={user.email}
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
  );
}
