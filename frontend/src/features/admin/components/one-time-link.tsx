import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formatDateTime } from "@/lib/format";
import type { PasswordSetup } from "@/lib/api/types";

/** Shows a password-setup link the server will not reveal again, with a copy button. */
export function OneTimeLink({ setup }: { setup: PasswordSetup }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const url = new URL(setup.url, globalThis.location.origin).toString();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(url);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <div className="one-time-link">
      <p>{t("users.setupExplain", { expires: formatDateTime(setup.expires_at) })}</p>
      <div className="one-time-link__row">
        <input
          type="text"
          readOnly
          value={url}
          aria-label={t("users.setupTitle")}
          onFocus={(event) => event.currentTarget.select()}
        />
        <button type="button" className="button" onClick={() => void copy()}>
          {t("feedback.copy")}
        </button>
      </div>
      <p role="status" className="muted">
        {copied ? t("feedback.copied") : ""}
      </p>
    </div>
  );
}
