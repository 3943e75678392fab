import type { QueryClient } from "@tanstack/react-query";
import {
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Link,
  Outlet,
  redirect,
  useNavigate,
  useRouter,
} from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Loading } from "@/components/feedback/loading";
import { LoginPage } from "@/features/auth/components/login-page";
import { PasswordResetPage } from "@/features/auth/components/password-reset-page";
import { ComplianceAssist } from "@/features/compliance/components/compliance-assist";
import { PostCompliancePanel } from "@/features/compliance/components/post-compliance-panel";
import { HomePage } from "@/features/home/components/home-page";
import type { ComposerAssist } from "@/features/posts/components/composer-form";
import { meQueryOptions } from "@/lib/auth/me";
import { ensureSession } from "@/lib/auth/session";
import { AppFrame } from "./layout/app-frame";
import { SettingsIndex } from "./settings-index";

export interface RouterContext {
  queryClient: QueryClient;
}

function NotFound() {
  const { t } = useTranslation();
  return (
    // Rendered by the root route, outside the app frame: it brings its own main landmark.
    <main id="main" className="app-main page" tabIndex={-1}>
      <h1>{t("feedback.notFound")}</h1>
      <Link to="/">{t("feedback.toHome")}</Link>
    </main>
  );
}

/** Only same-site paths may be a redirect target after sign-in. */
function safeRedirect(value: unknown): string | undefined {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//") ? value : undefined;
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  component: Outlet,
  notFoundComponent: NotFound,
});

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (search: Record<string, unknown>): { redirect?: string; expired?: boolean } => ({
    redirect: safeRedirect(search.redirect),
    expired: search.expired === true || search.expired === "true" ? true : undefined,
  }),
  beforeLoad: async () => {
    if (await ensureSession()) throw redirect({ to: "/" });
  },
  component: function LoginRoute() {
    const search = loginRoute.useSearch();
    const router = useRouter();
    const navigate = useNavigate();
    const onSuccess = () => {
      if (search.redirect) router.history.push(search.redirect);
      else void navigate({ to: "/" });
    };
    return <LoginPage sessionExpired={search.expired} onSuccess={onSuccess} />;
  },
});

const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/passwort-zuruecksetzen",
  validateSearch: (search: Record<string, unknown>): { token?: string } => ({
    token: typeof search.token === "string" && search.token !== "" ? search.token : undefined,
  }),
  component: function ResetRoute() {
    return <PasswordResetPage token={resetRoute.useSearch().token} />;
  },
});

const appRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "app",
  beforeLoad: async ({ location }) => {
    if (!(await ensureSession())) throw redirect({ to: "/login", search: { redirect: location.href } });
  },
  loader: ({ context }) => context.queryClient.ensureQueryData(meQueryOptions()),
  component: AppFrame,
  pendingComponent: () => <Loading />,
});

const homeRoute = createRoute({ getParentRoute: () => appRoute, path: "/", component: HomePage });

const settingsRoute = createRoute({ getParentRoute: () => appRoute, path: "/einstellungen", component: SettingsIndex });

const usersRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/benutzer",
  component: lazyRouteComponent(() => import("@/features/admin/components/users-page"), "UsersPage"),
});

const UserDetailPage = lazyRouteComponent(() => import("@/features/admin/components/user-detail-page"), "UserDetailPage");
const userDetailRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/benutzer/$userId",
  component: function UserDetailRoute() {
    return <UserDetailPage userId={userDetailRoute.useParams().userId} />;
  },
});

const sitesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/standorte",
  component: lazyRouteComponent(() => import("@/features/admin/components/sites-page"), "SitesPage"),
});

const auditRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/audit-log",
  component: lazyRouteComponent(() => import("@/features/audit/components/audit-page"), "AuditPage"),
});

const postsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/beitraege",
  component: lazyRouteComponent(() => import("@/features/posts/components/posts-page"), "PostsPage"),
});

// The compliance feature plugs into the posts feature here (features never import each other).
const composerAssist: ComposerAssist = (input) => <ComplianceAssist {...input} />;
const ComposerPage = lazyRouteComponent(() => import("@/features/posts/components/composer-page"), "ComposerPage");
const newPostRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/beitraege/neu",
  component: function NewPostRoute() {
    return <ComposerPage assist={composerAssist} />;
  },
});

const editPostRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/beitraege/$postId/bearbeiten",
  component: function EditPostRoute() {
    return <ComposerPage postId={editPostRoute.useParams().postId} assist={composerAssist} />;
  },
});

const PostDetailPage = lazyRouteComponent(() => import("@/features/posts/components/post-detail-page"), "PostDetailPage");
const postDetailRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/beitraege/$postId",
  component: function PostDetailRoute() {
    return <PostDetailPage postId={postDetailRoute.useParams().postId} findings={(post) => <PostCompliancePanel post={post} />} />;
  },
});

const approvalsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/freigaben",
  component: lazyRouteComponent(() => import("@/features/approvals/components/queue-page"), "QueuePage"),
});

const ReviewPage = lazyRouteComponent(() => import("@/features/approvals/components/review-page"), "ReviewPage");
const reviewRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/freigaben/$postId",
  component: function ReviewRoute() {
    return <ReviewPage postId={reviewRoute.useParams().postId} findings={(post) => <PostCompliancePanel post={post} />} />;
  },
});

const policiesRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/freigaberegeln",
  component: lazyRouteComponent(() => import("@/features/approvals/components/policies-page"), "PoliciesPage"),
});

const calendarRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/kalender",
  component: lazyRouteComponent(() => import("@/features/calendar/components/calendar-page"), "CalendarPage"),
});

const ChannelsPage = lazyRouteComponent(() => import("@/features/channels/components/channels-page"), "ChannelsPage");
const channelsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einstellungen/kanaele",
  validateSearch: (search: Record<string, unknown>): { verbindung?: string } => ({
    verbindung: typeof search.verbindung === "string" && /^[0-9a-f-]{36}$/i.test(search.verbindung) ? search.verbindung : undefined,
  }),
  component: function ChannelsRoute() {
    return <ChannelsPage connectionId={channelsRoute.useSearch().verbindung} />;
  },
});

const crisisRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/krisenmodus",
  component: lazyRouteComponent(() => import("@/features/crisis/components/crisis-page"), "CrisisPage"),
});

const consentsRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einwilligungen",
  component: lazyRouteComponent(() => import("@/features/consents/components/consents-page"), "ConsentsPage"),
});

const ConsentFormPage = lazyRouteComponent(() => import("@/features/consents/components/consent-form-page"), "ConsentFormPage");
const newConsentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einwilligungen/neu",
  component: function NewConsentRoute() { return <ConsentFormPage />; }, // prettier-ignore
});

const editConsentRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einwilligungen/$consentId/bearbeiten",
  component: function EditConsentRoute() {
    return <ConsentFormPage consentId={editConsentRoute.useParams().consentId} />;
  },
});

const ConsentDetailPage = lazyRouteComponent(() => import("@/features/consents/components/consent-detail-page"), "ConsentDetailPage");
const consentDetailRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/einwilligungen/$consentId",
  component: function ConsentDetailRoute() {
    return <ConsentDetailPage consentId={consentDetailRoute.useParams().consentId} />;
  },
});

const accountRoute = createRoute({
  getParentRoute: () => appRoute,
  path: "/konto",
  component: lazyRouteComponent(() => import("@/features/account/components/account-page"), "AccountPage"),
});

export const routeTree = rootRoute.addChildren([
  loginRoute,
  resetRoute,
  appRoute.addChildren([
    homeRoute,
    settingsRoute,
    usersRoute,
    userDetailRoute,
    sitesRoute,
    auditRoute,
    accountRoute,
    postsRoute,
    newPostRoute,
    editPostRoute,
    postDetailRoute,
    approvalsRoute,
    reviewRoute,
    policiesRoute,
    calendarRoute,
    consentsRoute,
    newConsentRoute,
    editConsentRoute,
    consentDetailRoute,
    channelsRoute,
    crisisRoute,
  ]),
]);

export function createAppRouter(queryClient: QueryClient, history?: Parameters<typeof createRouter>[0]["history"]) {
  return createRouter({
    routeTree,
    context: { queryClient },
    defaultPreload: "intent",
    defaultPendingComponent: () => <Loading />,
    scrollRestoration: true,
    ...(history ? { history } : {}),
  });
}

declare module "@tanstack/react-router" {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
