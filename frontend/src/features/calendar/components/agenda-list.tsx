import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Empty } from "@/components/feedback/empty";
import type { Post } from "@/lib/api/types";
import { formatDay } from "@/lib/format";

/** The phone layout: only the days that have posts, as a list. */
export function AgendaList({ byDay }: { byDay: Map<string, Post[]> }) {
  const { t } = useTranslation();
  const days = [...byDay.keys()].sort();
  if (days.length === 0) return <Empty message={t("calendar.empty")} />;
  return (
    <ul className="agenda" aria-labelledby="calendar-period">
      {days.map((day) => (
        <li key={day} className="card">
          <h2>{formatDay(day, { weekday: "long", day: "numeric", month: "long" })}</h2>
          <ul className="calendar__posts">
            {(byDay.get(day) ?? []).map((post) => (
              <li key={post.id}>
                <Link to="/beitraege/$postId" params={{ postId: post.id }}>
                  {post.scheduled_local?.slice(11, 16)} {post.title}
                </Link>{" "}
                <span className={`status status--${post.status}`}>{t(`posts.status.${post.status}`)}</span>
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
