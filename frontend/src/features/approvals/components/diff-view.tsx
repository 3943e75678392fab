import { useTranslation } from "react-i18next";
import type { DiffSegment, Review } from "../api/approvals";

/** One field's changes: deletions struck through and insertions underlined, each also named
 * in words for screen readers (never colour alone). */
export function DiffText({ segments }: { segments: DiffSegment[] }) {
  const { t } = useTranslation();
  return (
    <p className="diff">
      {segments.map((segment, index) =>
        segment.op === "insert" ? (
          <ins key={index} className="diff__ins">
            <span className="visually-hidden">[{t("approvals.diff.inserted")}: </span>
            <span aria-hidden="true" className="diff__mark">+</span>
            {segment.text}
            <span className="visually-hidden">]</span>
          </ins>
        ) : segment.op === "delete" ? (
          <del key={index} className="diff__del">
            <span className="visually-hidden">[{t("approvals.diff.deleted")}: </span>
            <span aria-hidden="true" className="diff__mark">−</span>
            {segment.text}
            <span className="visually-hidden">]</span>
          </del>
        ) : (
          <span key={index}>{segment.text}</span>
        ),
      )}
    </p>
  );
}

/** The changes since the last approved version (or the last one the reviewer approved). */
export function DiffView({ diff }: { diff: Review["diff"] }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="review-diff">
      <h2 id="review-diff">{t("approvals.diff.title")}</h2>
      {diff.base_reason === null || diff.base_version === null ? (
        <p className="muted">{t("approvals.diff.none")}</p>
      ) : (
        <>
          <p className="muted">{t(`approvals.diff.${diff.base_reason}`, { version: diff.base_version })}</p>
          {diff.fields.length === 0 ? (
            <p>{t("approvals.diff.unchanged")}</p>
          ) : (
            <dl className="diff-list">
              {diff.fields.map((field) => (
                <div key={field.field}>
                  <dt>{field.label}</dt>
                  <dd>
                    <DiffText segments={field.segments} />
                  </dd>
                </div>
              ))}
            </dl>
          )}
        </>
      )}
    </section>
  );
}
