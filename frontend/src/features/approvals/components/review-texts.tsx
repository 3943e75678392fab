import { useTranslation } from "react-i18next";
import type { Review } from "../api/approvals";

type Text = Review["texts"][number];

function Findings({ findings }: { findings: Text["findings"] }) {
  const { t } = useTranslation();
  if (findings.length === 0) return <p className="muted">{t("approvals.detail.noFindings")}</p>;
  return (
    <ul className="plain-list findings">
      {findings.map((finding, index) => (
        <li key={`${finding.rule}-${index}`} className={`finding finding--${finding.severity}`}>
          <strong>{t(`approvals.detail.severity.${finding.severity}`)}:</strong> {finding.message} <code>{finding.rule}</code>
        </li>
      ))}
    </ul>
  );
}

/** The base text and every channel's effective text, each with its compliance findings; the
 * link and the images with their alt texts. */
export function ReviewTexts({ review }: { review: Review }) {
  const { t } = useTranslation();
  const { post } = review;
  return (
    <section className="card" aria-labelledby="review-texts">
      <h2 id="review-texts">{t("approvals.detail.texts")}</h2>
      {review.texts.map((text) => {
        const heading = text.channel_id ? `${text.channel_name} (${t(`posts.platform.${text.platform ?? "mastodon"}`)})` : t("approvals.detail.baseText");
        return (
          <article key={text.key} className="review-text" aria-label={heading}>
            <h3>{heading}</h3>
            <p className="review-text__body">{text.text}</p>
            <h4 className="visually-hidden">{t("approvals.detail.findings")}</h4>
            <Findings findings={text.findings} />
          </article>
        );
      })}
      {post.tagged_link ? (
        <p>
          <strong>{t("approvals.detail.link")}:</strong> <span className="break">{post.tagged_link}</span>
        </p>
      ) : null}
      {post.media.length > 0 ? (
        <>
          <h3>{t("approvals.detail.media")}</h3>
          <ul className="plain-list">
            {post.media.map((media) => (
              <li key={media.media_id}>
                {media.filename} – {t("approvals.detail.altText")}: {media.alt_text || t("approvals.detail.noAlt")}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
