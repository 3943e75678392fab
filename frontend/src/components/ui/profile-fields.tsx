import { useTranslation } from "react-i18next";
import { SelectField, TextField } from "@/components/ui/field";
import type { Locale } from "@/lib/api/types";

interface ProfileFieldsProps {
  labels: { email: string; name: string; language: string };
  email: string;
  fullName: string;
  locale: Locale;
  errors: Record<string, string | undefined>;
  onFullName: (value: string) => void;
  onLocale: (value: Locale) => void;
}

/** E-mail (read-only), name and language of a user: the fields of one's own account page and
 * of the user administration's profile form. */
export function ProfileFields({
  labels,
  email,
  fullName,
  locale,
  errors,
  onFullName,
  onLocale,
}: ProfileFieldsProps) {
  const { t } = useTranslation();
  return (
    <>
      <TextField label={labels.email} value={email} readOnly />
      <TextField
        label={labels.name}
        required
        value={fullName}
        error={errors.full_name}
        onChange={(event) => onFullName(event.target.value)}
      />
      <SelectField
        label={labels.language}
        value={locale}
        error={errors.locale}
        onChange={(event) => onLocale(event.target.value === "en" ? "en" : "de")}
      >
        <option value="de">{t("userMenu.german")}</option>
        <option value="en">{t("userMenu.english")}</option>
      </SelectField>
    </>
  );
}
