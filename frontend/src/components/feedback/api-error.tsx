import { useTranslation } from "react-i18next";
import { problemMessages } from "@/lib/api/problem";

/** A failed action: the backend's own (German) messages, announced immediately. */
export function ApiErrorMessage({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  const [first, ...rest] = problemMessages(error);
  return (
    <div className="form-error" role="alert">
      <p>{first ?? t("feedback.genericError")}</p>
      {rest.length > 0 ? (
        <ul className="plain-list">
          {rest.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
