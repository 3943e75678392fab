import { useState } from "react";
import { useTranslation } from "react-i18next";
import { ErrorState } from "@/components/feedback/error-state";
import { Loading } from "@/components/feedback/loading";
import { RequirePermission } from "@/components/layout/require-permission";
import { SelectField } from "@/components/ui/field";
import { useMediaQuery } from "@/hooks/use-media-query";
import type { Post, PostFilters } from "@/lib/api/types";
import { clinicsWith, PERMISSIONS, useMe } from "@/lib/auth/me";
import { formatDay } from "@/lib/format";
import { addDays, addMonths, dayStartIso, monthGrid, today, weekDays } from "@/lib/time";
import { useCalendarChannels, useCalendarPosts } from "../api/calendar";
import { AgendaList } from "./agenda-list";
import { CalendarGrid } from "./calendar-grid";

export type View = "month" | "week";
const SHOWN: PostFilters["status"] = ["scheduled", "published", "paused", "failed"];

export function CalendarPage() {
  return (
    <RequirePermission permission={PERMISSIONS.postsRead}>
      <CalendarView />
    </RequirePermission>
  );
}

/** Shift the anchor day by one period (month or week). */
export function shift(day: string, view: View, direction: number): string {
  return view === "month" ? addMonths(day, direction) : addDays(day, 7 * direction);
}

function CalendarView() {
  const { t } = useTranslation();
  const me = useMe();
  const phone = useMediaQuery("(max-width: 40rem)");
  const clinics = clinicsWith(me.data, PERMISSIONS.postsRead);
  const [view, setView] = useState<View>("month");
  const [anchor, setAnchor] = useState(today());
  const [clinic, setClinic] = useState("");
  const [channel, setChannel] = useState("");
  const days = view === "month" ? monthGrid(anchor) : weekDays(anchor);
  const first = days[0] ?? anchor;
  const last = days[days.length - 1] ?? anchor;
  const posts = useCalendarPosts({
    from: dayStartIso(addDays(first, -1)),
    to: dayStartIso(addDays(last, 2)),
    status: SHOWN,
    ...(clinic ? { clinic } : {}),
    ...(channel ? { channel } : {}),
  });
  const channels = useCalendarChannels();
  const byDay = new Map<string, Post[]>();
  for (const post of posts.data ?? []) {
    const day = post.scheduled_local?.slice(0, 10);
    if (!day || day < first || day > last) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), post]);
  }
  for (const list of byDay.values()) list.sort((a, b) => (a.scheduled_local ?? "").localeCompare(b.scheduled_local ?? ""));

  const period =
    view === "month"
      ? formatDay(anchor, { month: "long", year: "numeric" })
      : t("calendar.weekOf", { day: formatDay(first, { day: "numeric", month: "long", year: "numeric" }) });

  return (
    <div className="page">
      <h1>{t("calendar.title")}</h1>
      <div className="filters" role="search">
        <SelectField label={t("calendar.view")} value={view} onChange={(e) => setView(e.target.value as View)}>
          <option value="month">{t("calendar.month")}</option>
          <option value="week">{t("calendar.week")}</option>
        </SelectField>
        <SelectField label={t("calendar.clinic")} value={clinic} onChange={(e) => setClinic(e.target.value)}>
          <option value="">{t("calendar.allClinics")}</option>
          {clinics.map((item) => (
            <option key={item.clinic_id} value={item.clinic_id}>
              {item.clinic_name}
            </option>
          ))}
        </SelectField>
        <SelectField label={t("calendar.channel")} value={channel} onChange={(e) => setChannel(e.target.value)}>
          <option value="">{t("calendar.allChannels")}</option>
          {(channels.data?.items ?? []).map((item) => (
            <option key={item.id} value={item.id}>
              {item.display_name} ({t(`posts.platform.${item.platform}`)})
            </option>
          ))}
        </SelectField>
      </div>
      <div className="toolbar">
        <button type="button" className="button" onClick={() => setAnchor(shift(anchor, view, -1))}>
          {t(view === "month" ? "calendar.previousMonth" : "calendar.previousWeek")}
        </button>
        <button type="button" className="button" onClick={() => setAnchor(today())}>
          {t("calendar.today")}
        </button>
        <button type="button" className="button" onClick={() => setAnchor(shift(anchor, view, 1))}>
          {t(view === "month" ? "calendar.nextMonth" : "calendar.nextWeek")}
        </button>
        <h2 className="calendar__period" id="calendar-period" aria-live="polite">
          {period}
        </h2>
      </div>
      {posts.isPending ? (
        <Loading />
      ) : posts.isError ? (
        <ErrorState error={posts.error} onRetry={() => void posts.refetch()} />
      ) : phone ? (
        <AgendaList byDay={byDay} />
      ) : (
        <CalendarGrid view={view} days={days} anchor={anchor} byDay={byDay} onAnchor={setAnchor} />
      )}
    </div>
  );
}
