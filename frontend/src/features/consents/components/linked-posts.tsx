import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import type { Consent, Takedown } from "@/lib/api/types";

/** The posts relying on the consent and, per publication, where its takedown stands. */
export function LinkedPosts({ consent }: { consent: Consent }) {
  const { t } = useTranslation();
  return (
    <section className="card" aria-labelledby="consent-posts">
      <h2 id="consent-posts">{t("consents.detail.posts")}</h2>
      {consent.posts.length === 0 ? (
        <Empty message={t("consents.detail.noPosts")} />
      ) : (
        <ul className="publication-list">
          {consent.posts.map((post) => (
            <li key={post.post_id} className="publication">
              <div className="publication__head">
                <Link to="/beitraege/$postId" params={{ postId: post.post_id }}>
                  {post.title}
                </Link>
                <span className={`status status--${post.status}`}>{t(`posts.status.${post.status}`)}</span>
              </div>
              {post.publications.length === 0 ? (
                <p className="muted">{t("consents.detail.noPublications")}</p>
              ) : (
                <ul className="takedown-list">
                  {post.publications.map((item) => (
                    <TakedownItem key={item.publication_id} item={item} />
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function TakedownItem({ item }: { item: Takedown }) {
  const { t } = useTranslation();
  return (
    <li>
      <strong>
        {item.channel_name} <span className="muted">({t(`posts.platform.${item.platform}`)})</span>
      </strong>{" "}
      <span className={`status status--${item.publication_status}`}>{t(`posts.publications.status.${item.publication_status}`)}</span>
      {item.takedown_status ? (
        <p>
          {t("consents.detail.takedown", { status: t(`consents.takedown.${item.takedown_status}`) })}
          {item.attempts > 0 ? <span className="muted"> · {t("consents.detail.attempts", { count: item.attempts })}</span> : null}
        </p>
      ) : null}
      {item.last_error ? <p className="notice">{item.last_error}</p> : null}
    </li>
  );
}
