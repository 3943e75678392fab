import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { useConnection } from "../api/channels";

/** After the platform's consent page: polls the connect flow and says how it ended. */
export function ConnectionStatus({ connectionId }: { connectionId: string }) {
  const { t } = useTranslation();
  const connection = useConnection(connectionId);
  if (connection.isPending) return <Loading label={t("channels.polling")} />;
  if (connection.isError) return <ErrorState error={connection.error} onRetry={() => void connection.refetch()} />;
  const { status, failure_reason: reason } = connection.data;
  if (status === "pending") return <Loading label={t("channels.polling")} />;
  if (status === "failed")
    return (
      <div className="form-error" role="alert">
        {reason ? t("channels.failed", { reason }) : t("channels.failedNoReason")}
      </div>
    );
  return (
    <p className="notice" role="status">
      {t("channels.completed")}
    </p>
  );
}
