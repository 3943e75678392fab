import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "@/components/ui/dialog";
import { FormError, SelectField, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import type { CreatedUser, Locale } from "@/lib/api/types";
import { useCreateUser } from "../api/users";
import { OneTimeLink } from "./one-time-link";

/** Create a user; on success the dialog shows the one-time password-setup link. */
export function CreateUserDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const toast = useToast();
  const create = useCreateUser();
  const [email, setEmail] = useState("");
  const [fullName, setFullName] = useState("");
  const [locale, setLocale] = useState<Locale>("de");
  const [created, setCreated] = useState<CreatedUser | null>(null);

  const close = () => {
    setEmail("");
    setFullName("");
    setLocale("de");
    setCreated(null);
    create.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      { email: email.trim(), full_name: fullName.trim(), locale },
      {
        onSuccess: (user) => {
          setCreated(user);
          toast.show(t("users.created", { name: user.full_name }));
        },
      },
    );
  };

  const errors = fieldErrors(create.error);
  const formError = create.isError && !hasFieldErrors(create.error) ? create.error.message : null;

  return (
    <Dialog open={open} title={created ? t("users.setupTitle") : t("users.create")} onClose={close}>
      {created ? (
        <>
          <OneTimeLink setup={created.password_setup} />
          <div className="form-actions">
            <button type="button" className="button button--primary" onClick={close}>
              {t("feedback.close")}
            </button>
          </div>
        </>
      ) : (
        <form className="form" onSubmit={submit}>
          <FormError message={formError} />
          <TextField
            label={t("users.name")}
            required
            value={fullName}
            error={errors.full_name}
            onChange={(event) => setFullName(event.target.value)}
          />
          <TextField
            label={t("users.email")}
            type="email"
            required
            value={email}
            error={errors.email}
            onChange={(event) => setEmail(event.target.value)}
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
            <button type="submit" className="button button--primary" disabled={create.isPending}>
              {create.isPending ? t("feedback.saving") : t("users.create")}
            </button>
            <button type="button" className="button" onClick={close}>
              {t("feedback.cancel")}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
