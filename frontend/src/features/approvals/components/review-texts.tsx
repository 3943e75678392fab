import { useTranslation } from "react-i18next";
import type { Review } from "../api/approvals";

/** The base text and every channel's effective text, the link and the images with their alt
 * texts (the compliance findings are shown beside, by the compliance panel). */
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
