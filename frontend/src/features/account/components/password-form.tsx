import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { FormError, TextField } from "@/components/ui/field";
import { useToast } from "@/components/ui/toaster";
import { usePasswordRules } from "@/hooks/use-password-rules";
import { ApiError, fieldErrors, hasFieldErrors } from "@/lib/api/problem";
import { useChangePassword } from "../api/account";

export function PasswordForm() {
  const { t } = useTranslation();
  const toast = useToast();
  const change = useChangePassword();
  const check = usePasswordRules();
  const [current, setCurrent] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [local, setLocal] = useState<{ password?: string; repeat?: string }>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors = check(password, repeat);
    setLocal(errors);
    if (errors.password || errors.repeat) return;
    change.mutate(
      { current_password: current, new_password: password },
      {
        onSuccess: () => {
          setCurrent("");
          setPassword("");
          setRepeat("");
          toast.show(t("account.changed"));
        },
      },
    );
  };

  const server = fieldErrors(change.error);
  const wrongCurrent =
    server.current_password ??
    (change.error instanceof ApiError && change.error.status === 400 ? t("account.wrongCurrent") : undefined);
  const general = change.isError && !hasFieldErrors(change.error) && !wrongCurrent ? change.error.message : null;

  return (
    <section className="card" aria-labelledby="account-password">
      <h2 id="account-password">{t("account.passwordHeading")}</h2>
      <form className="form" onSubmit={submit}>
        <FormError message={general} />
        <TextField
          label={t("account.current")}
          type="password"
          autoComplete="current-password"
          required
          value={current}
          error={wrongCurrent}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <TextField
          label={t("account.newPassword")}
          type="password"
          autoComplete="new-password"
          required
          value={password}
          error={local.password ?? server.new_password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <TextField
          label={t("account.repeat")}
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          error={local.repeat}
          onChange={(event) => setRepeat(event.target.value)}
        />
        <div className="form-actions">
          <button type="submit" className="button button--primary" disabled={change.isPending}>
            {change.isPending ? t("feedback.saving") : t("account.change")}
          </button>
        </div>
      </form>
    </section>
  );
}
