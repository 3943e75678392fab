import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, SelectField, TextField } from "@/components/ui/field";
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
      <TextField label={t("users.email")} value={user.email} readOnly />
      <TextField
        label={t("users.name")}
        required
        value={fullName}
        error={errors.full_name}
        onChange={(event) => setFullName(event.target.value)}
      />
      <SelectField
        label={t("users.language")}
        value={locale}
        error={errors.locale}
        onChange={(event) => setLocale(event.target.value === "en" ? "en" : "de")}
      >
        <option value="de">{t("userMenu.german")}</option>
        <option value="en">{t("userMenu.english")}</option>
      </SelectField>
      <div className="form-actions">
        <button type="submit" className="button button--primary" disabled={update.isPending}>
          {update.isPending ? t("feedback.saving") : t("feedback.save")}
        </button>
      </div>
    </form>
  );
}
