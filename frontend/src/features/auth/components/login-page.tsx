import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { TextField } from "@/components/ui/field";
import { ApiError } from "@/lib/api/problem";
import { useLogin } from "../api/login";
import { AuthLayout } from "./auth-layout";

interface LoginPageProps {
  sessionExpired?: boolean;
  onSuccess: () => void;
}

function useLoginErrorMessage() {
  const { t } = useTranslation();
  return (error: unknown): { message: string; detail: string | null } => {
    if (!(error instanceof ApiError)) return { message: t("feedback.genericError"), detail: null };
    const detail = error.problem?.detail ?? null;
    if (error.status === 429) {
      const message =
        error.retryAfter !== null
          ? t("login.locked", { count: Math.max(1, Math.ceil(error.retryAfter / 60)) })
          : t("login.lockedNoTime");
      return { message, detail };
    }
    if (error.status === 401) return { message: t("login.invalid"), detail: null };
    return { message: t("feedback.genericError"), detail };
  };
}

export function LoginPage({ sessionExpired, onSuccess }: LoginPageProps) {
  const { t } = useTranslation();
  const login = useLogin();
  const describe = useLoginErrorMessage();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email: email.trim(), password }, { onSuccess });
  };

  const failure = login.isError ? describe(login.error) : null;

  return (
    <AuthLayout title={t("login.title")}>
      {sessionExpired && !failure ? <p className="notice">{t("login.sessionExpired")}</p> : null}
      <div role="alert" className={failure ? "form-error" : undefined}>
        {failure ? (
          <>
            <p>{failure.message}</p>
            {failure.detail ? <p>{failure.detail}</p> : null}
          </>
        ) : null}
      </div>
      <form className="form" onSubmit={submit} noValidate={false}>
        <TextField
          label={t("login.email")}
          type="email"
          name="email"
          autoComplete="username"
          required
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label={t("login.password")}
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <button type="submit" className="button button--primary button--block" disabled={login.isPending}>
          {login.isPending ? t("login.submitting") : t("login.submit")}
        </button>
      </form>
    </AuthLayout>
  );
}
