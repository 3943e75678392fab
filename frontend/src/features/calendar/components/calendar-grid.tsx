import { Link } from "@tanstack/react-router";
import { useEffect, useRef, useState, type DragEvent, type KeyboardEvent } from "react";
import { useTranslation } from "react-i18next";
import { useToast } from "@/components/ui/toaster";
import { problemMessages } from "@/lib/api/problem";
import type { Post } from "@/lib/api/types";
import { hasClinicPermission, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDay, formatLocal } from "@/lib/format";
import { addDays, addMonths, today } from "@/lib/time";
import { useReschedule } from "../api/calendar";

const MOVABLE = new Set(["scheduled", "paused", "failed"]);
const KEY_STEPS: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7 };

/** The same day of the month `direction` months away (the month's last day when it is shorter). */
function sameDayOtherMonth(day: string, direction: number): string {
  const month = addMonths(day, direction);
  const wanted = Number(day.slice(8, 10));
  let candidate = month;
  for (let offset = 1; offset < wanted; offset += 1) {
    const next = addDays(month, offset);
    if (next.slice(0, 7) !== month.slice(0, 7)) break;
    candidate = next;
  }
  return candidate;
}

interface CalendarGridProps {
  view: "month" | "week";
  days: string[];
  anchor: string;
  byDay: Map<string, Post[]>;
  onAnchor: (day: string) => void;
}

/** Month or week as a table; one focusable day at a time (arrow keys move), posts drag to another day. */
export function CalendarGrid({ view, days, anchor, byDay, onAnchor }: CalendarGridProps) {
  const { t } = useTranslation();
  const toast = useToast();
  const me = useMe();
  const reschedule = useReschedule();
  const tableRef = useRef<HTMLTableElement>(null);
  const moved = useRef(false);
  const [focused, setFocused] = useState(days.includes(today()) ? today() : anchor);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const active = days.includes(focused) ? focused : days.find((day) => day.slice(0, 7) === anchor.slice(0, 7)) ?? days[0];

  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    tableRef.current?.querySelector<HTMLElement>(`[data-day="${active}"]`)?.focus();
  }, [active]);

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    if (!(event.target instanceof HTMLTableCellElement) || !active) return;
    let next: string | null = null;
    if (event.key in KEY_STEPS) next = addDays(active, KEY_STEPS[event.key] ?? 0);
    else if (event.key === "PageUp" || event.key === "PageDown") {
      const direction = event.key === "PageUp" ? -1 : 1;
      next = view === "month" ? sameDayOtherMonth(active, direction) : addDays(active, 7 * direction);
    } else if (event.key === "Home") next = days[0] ?? null;
    else if (event.key === "End") next = days[days.length - 1] ?? null;
    if (!next) return;
    event.preventDefault();
    moved.current = true;
    setFocused(next);
    if (!days.includes(next)) onAnchor(next);
  };

  const canMove = (post: Post) => MOVABLE.has(post.status) && hasClinicPermission(me.data, post.clinic_id, PERMISSIONS.postsSchedule);
  const drop = (day: string, event: DragEvent) => {
    event.preventDefault();
    setDropTarget(null);
    const post = [...byDay.values()].flat().find((item) => item.id === event.dataTransfer.getData("text/plain"));
    if (!post?.scheduled_local || post.scheduled_local.startsWith(day)) return;
    const local = `${day}T${post.scheduled_local.slice(11, 16)}`;
    reschedule.mutate(
      { id: post.id, body: { scheduled_local: local } },
      {
        onSuccess: () => toast.show(t("calendar.moved", { title: post.title, when: formatLocal(local) })),
        onError: (error) => toast.show(problemMessages(error)[0] ?? t("feedback.genericError"), "error"),
      },
    );
  };

  const weeks: string[][] = [];
  for (let index = 0; index < days.length; index += 7) weeks.push(days.slice(index, index + 7));
  const month = anchor.slice(0, 7);

  return (
    <>
      <p className="field__hint">
        {t("calendar.keyboardHint")} {t("calendar.dragHint")}
      </p>
      <table ref={tableRef} className={`calendar${view === "week" ? " calendar--week" : ""}`} aria-labelledby="calendar-period" onKeyDown={onKeyDown}>
        <thead>
          <tr>
            {(weeks[0] ?? []).map((day) => (
              <th key={day} scope="col" abbr={formatDay(day, { weekday: "long" })}>
                {formatDay(day, { weekday: "short" })}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week[0]}>
              {week.map((day) => {
                const posts = byDay.get(day) ?? [];
                const classes = [
                  "calendar__day",
                  view === "month" && day.slice(0, 7) !== month ? "calendar__day--other" : "",
                  day === today() ? "calendar__day--today" : "",
                  dropTarget === day ? "calendar__day--drop" : "",
                ];
                return (
                  <td
                    key={day}
                    data-day={day}
                    tabIndex={day === active ? 0 : -1}
                    className={classes.filter(Boolean).join(" ")}
                    aria-current={day === today() ? "date" : undefined}
                    onFocus={() => setFocused(day)}
                    onDragOver={(event) => {
                      event.preventDefault();
                      setDropTarget(day);
                    }}
                    onDragLeave={() => setDropTarget((current) => (current === day ? null : current))}
                    onDrop={(event) => drop(day, event)}
                  >
                    <span className="calendar__date" aria-hidden="true">
                      {Number(day.slice(8, 10))}
                    </span>
                    <span className="visually-hidden">
                      {formatDay(day, { weekday: "long", day: "numeric", month: "long", year: "numeric" })}:{" "}
                      {posts.length === 0 ? t("calendar.noPosts") : t("calendar.postCount", { count: posts.length })}
                    </span>
                    {posts.length > 0 ? (
                      <ul className="calendar__posts">
                        {posts.map((post) => (
                          <li key={post.id}>
                            <Link
                              to="/beitraege/$postId"
                              params={{ postId: post.id }}
                              className={`calendar__post status--${post.status}`}
                              title={`${post.title} – ${t(`posts.status.${post.status}`)}`}
                              draggable={canMove(post)}
                              onDragStart={(event) => event.dataTransfer.setData("text/plain", post.id)}
                            >
                              {post.scheduled_local?.slice(11, 16)} {post.title}
                              <span className="visually-hidden"> ({t(`posts.status.${post.status}`)})</span>
                            </Link>
                          </li>
                        ))}
                      </ul>
                    ) : null}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
