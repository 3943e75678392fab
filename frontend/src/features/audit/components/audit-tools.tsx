import { useTranslation } from "react-i18next";
import { useToast } from "@/components/ui/toaster";
import { useExportAudit, useVerifyAudit, type AuditQuery } from "../api/audit";

/** CSV export of the current filters and the hash-chain integrity check. */
export function AuditTools({ filters }: { filters: AuditQuery }) {
  const { t } = useTranslation();
  const toast = useToast();
  const exporter = useExportAudit();
  const verify = useVerifyAudit();

  const result = verify.data;
  return (
    <div className="toolbar">
      <button
        type="button"
        className="button"
        disabled={exporter.isPending}
        onClick={() =>
          exporter.mutate(filters, {
            onSuccess: () => toast.show(t("audit.exported")),
            onError: (error) => toast.show(error.message, "error"),
          })
        }
      >
        {exporter.isPending ? t("audit.exporting") : t("audit.export")}
      </button>
      <button type="button" className="button" disabled={verify.isPending} onClick={() => verify.mutate()}>
        {verify.isPending ? t("audit.verifying") : t("audit.verify")}
      </button>
      <div role="status" aria-live="polite" className="toolbar__result">
        {result ? (
          <p className={result.ok ? "result result--ok" : "result result--bad"}>
            {result.ok
              ? t("audit.verifyOk", { checked: result.checked })
              : t("audit.verifyBroken", { checked: result.checked, id: result.first_broken_id ?? "?" })}
          </p>
        ) : null}
        {verify.isError ? <p className="result result--bad">{verify.error.message}</p> : null}
      </div>
    </div>
  );
}
