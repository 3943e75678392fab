import { Link } from "@tanstack/react-router";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, TextField } from "@/components/ui/field";
import { ApiError, fieldErrors } from "@/lib/api/problem";
import { usePasswordRules } from "@/hooks/use-password-rules";
import { useResetPassword } from "../api/reset-password";
import { AuthLayout } from "./auth-layout";

export function PasswordResetPage({ token }: { token: string | undefined }) {
  const { t } = useTranslation();
  const reset = useResetPassword();
  const check = usePasswordRules();
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [localErrors, setLocalErrors] = useState<{ password?: string; repeat?: string }>({});

  if (!token) {
    return (
      <AuthLayout title={t("reset.title")}>
        <FormError message={t("reset.missingToken")} />
      </AuthLayout>
    );
  }

  if (reset.isSuccess) {
    return (
      <AuthLayout title={t("reset.title")}>
        <p role="status">{t("reset.success")}</p>
        <Link to="/login" className="button button--primary">
          {t("reset.toLogin")}
        </Link>
      </AuthLayout>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors = check(password, repeat);
    setLocalErrors(errors);
    if (errors.password || errors.repeat) return;
    reset.mutate({ token, new_password: password });
  };

  const serverFields = fieldErrors(reset.error);
  const tokenRejected = reset.error instanceof ApiError && !serverFields.new_password;

  return (
    <AuthLayout title={t("reset.title")}>
      <p>{t("reset.intro")}</p>
      <FormError message={tokenRejected ? t("reset.invalidToken") : null} />
      <form className="form" onSubmit={submit}>
        <TextField
          label={t("reset.newPassword")}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          error={localErrors.password ?? serverFields.new_password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <TextField
          label={t("reset.repeat")}
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          error={localErrors.repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
        <button type="submit" className="button button--primary button--block" disabled={reset.isPending}>
          {reset.isPending ? t("feedback.saving") : t("reset.submit")}
        </button>
      </form>
    </AuthLayout>
  );
}
