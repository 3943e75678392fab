import { useTranslation } from "react-i18next";

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;

/** Client-side checks mirroring the server's length rule; the server still judges common passwords. */
export function usePasswordRules() {
  const { t } = useTranslation();
  return (password: string, repeat: string): { password?: string; repeat?: string } => {
    if (password.length < PASSWORD_MIN) return { password: t("reset.tooShort") };
    if (password.length > PASSWORD_MAX) return { password: t("reset.tooLong") };
    if (password !== repeat) return { repeat: t("reset.mismatch") };
    return {};
  };
}
