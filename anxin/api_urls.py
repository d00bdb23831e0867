"""REST API v1: token auth, OpenAPI schema and locally served Swagger UI."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.decorators import api_view, permission_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.routers import DefaultRouter

from anxin.cases import api as cases_api
from anxin.credit import grades_api, listing_api, publication_api
from anxin.intake import api as intake_api
from anxin.money import claims_api, funds_api
from anxin.monitoring import api as monitoring_api
from anxin.org import api as org_api
from anxin.registry import api as registry_api
from anxin.sites import deposit_api, payroll_api, roster_api


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
@permission_classes([AllowAny])
@schema(None)
def api_not_found(request):
    raise NotFound()


router = DefaultRouter()
router.register("towns", org_api.TownViewSet, basename="town")
router.register("units", org_api.UnitViewSet, basename="unit")
router.register("enterprise-kinds", registry_api.EnterpriseKindViewSet, basename="enterprise-kind")
router.register("project-supervisors", registry_api.ProjectSupervisorViewSet, basename="project-supervisor")
router.register("enterprises", registry_api.EnterpriseViewSet, basename="enterprise")
router.register("projects", registry_api.ProjectViewSet, basename="project")
router.register("channels", intake_api.ChannelViewSet, basename="channel")
router.register("signals", intake_api.SignalViewSet, basename="signal")
router.register("self-reports", intake_api.SelfReportViewSet, basename="self-report")
router.register("indicators", monitoring_api.IndicatorViewSet, basename="indicator")
router.register("alerts", monitoring_api.AlertViewSet, basename="alert")
router.register("cases", cases_api.CaseViewSet, basename="case")
router.register("case-actions", cases_api.LegalActionViewSet, basename="case-action")
# money: the emergency funds (helper "funds")
router.register("funds", funds_api.FundViewSet, basename="fund")
router.register("fund-advances", funds_api.FundAdvanceViewSet, basename="fund-advance")

urlpatterns = [
    path("roles/", org_api.roles, name="api-roles"),
    path("signal-kinds/", intake_api.signal_kinds, name="api-signal-kinds"),
    path("rules/", monitoring_api.rule_list, name="api-rules"),
    path("observations/", monitoring_api.observations_bulk, name="api-observations"),
    path("enterprises/<str:uscc>/risk/", monitoring_api.enterprise_risk, name="api-enterprise-risk"),
    # The spelling without the trailing slash: a POST cannot follow APPEND_SLASH's redirect.
    path(
        "signals/<int:pk>/verify",
        intake_api.signal_verify_noslash,
        name="signal-verify-noslash",
    ),
    path("cases/<int:pk>/advance", cases_api.case_advance_noslash, name="case-advance-noslash"),
    # money: the emergency funds (helper "funds"); POSTs answer with or without the trailing slash
    path("fund-situations/", funds_api.fund_situations, name="api-fund-situations"),
    path("cases/<int:pk>/proceeds/", funds_api.CaseProceedsView.as_view(), name="api-case-proceeds"),
    path("cases/<int:pk>/proceeds", funds_api.case_proceeds_noslash, name="api-case-proceeds-noslash"),
    path(
        "funds/<slug:code>/appropriations",
        funds_api.fund_appropriations_noslash,
        name="fund-appropriations-noslash",
    ),
    path("fund-advances", funds_api.fund_advances_noslash, name="fund-advances-noslash"),
    path(
        "fund-advances/<int:pk>/approve",
        funds_api.fund_advance_approve_noslash,
        name="fund-advance-approve-noslash",
    ),
    path(
        "fund-advances/<int:pk>/return",
        funds_api.fund_advance_return_noslash,
        name="fund-advance-return-noslash",
    ),
    # money: claims and payments (issue #15)
    path("cases/<int:id>/claims/", claims_api.CaseClaimsView.as_view(), name="case-claims"),
    path("cases/<int:id>/claims", claims_api.CaseClaimsNoSlash.as_view(), name="case-claims-noslash"),
    path("claims/<int:id>/confirm/", claims_api.ClaimConfirmView.as_view(), name="claim-confirm"),
    path("claims/<int:id>/confirm", claims_api.ClaimConfirmNoSlash.as_view(), name="claim-confirm-noslash"),
    path("cases/<int:id>/payments/", claims_api.CasePaymentsView.as_view(), name="case-payments"),
    path("cases/<int:id>/payments", claims_api.CasePaymentsNoSlash.as_view(), name="case-payments-noslash"),
    path("payments/<int:id>/reverse/", claims_api.PaymentReverseView.as_view(), name="payment-reverse"),
    path(
        "payments/<int:id>/reverse",
        claims_api.PaymentReverseNoSlash.as_view(),
        name="payment-reverse-noslash",
    ),
    path("payment-sources/", claims_api.payment_sources, name="api-payment-sources"),
    path("claim-bases/", claims_api.claim_bases, name="api-claim-bases"),
    # sites: roster (issue #16); POSTs answer with or without the trailing slash
    path("projects/<int:id>/workers/", roster_api.ProjectWorkersView.as_view(), name="project-workers"),
    path(
        "projects/<int:id>/workers",
        roster_api.ProjectWorkersNoSlash.as_view(),
        name="project-workers-noslash",
    ),
    path(
        "projects/<int:id>/workers/<int:worker_id>/leave/",
        roster_api.WorkerLeaveView.as_view(),
        name="project-worker-leave",
    ),
    path(
        "projects/<int:id>/workers/<int:worker_id>/leave",
        roster_api.WorkerLeaveNoSlash.as_view(),
        name="project-worker-leave-noslash",
    ),
    # sites: payroll (the general contractor's monthly payroll checked against the roster)
    path("projects/<int:id>/payrolls/", payroll_api.ProjectPayrollsView.as_view(), name="project-payrolls"),
    path(
        "projects/<int:id>/payrolls",
        payroll_api.ProjectPayrollsNoSlash.as_view(),
        name="project-payrolls-noslash",
    ),
    path(
        "projects/<int:id>/payrolls/<str:month>/",
        payroll_api.ProjectPayrollMonthView.as_view(),
        name="project-payroll-month",
    ),
    path(
        "projects/<int:id>/payrolls/<str:month>",  # the spelling
        payroll_api.ProjectPayrollMonthNoSlash.as_view(),
        name="project-payroll-month-noslash",
    ),
    # sites: deposits (POSTs answer with or without the trailing slash)
    path("projects/<int:id>/deposits/", deposit_api.ProjectDepositsView.as_view(), name="project-deposits"),
    path(
        "projects/<int:id>/deposits",
        deposit_api.ProjectDepositsNoSlash.as_view(),
        name="project-deposits-noslash",
    ),
    path("deposits/<int:id>/draws/", deposit_api.DepositDrawsView.as_view(), name="deposit-draws"),
    path("deposits/<int:id>/draws", deposit_api.DepositDrawsNoSlash.as_view(), name="deposit-draws-noslash"),
    path("deposits/<int:id>/top-ups/", deposit_api.DepositTopUpsView.as_view(), name="deposit-top-ups"),
    path(
        "deposits/<int:id>/top-ups",
        deposit_api.DepositTopUpsNoSlash.as_view(),
        name="deposit-top-ups-noslash",
    ),
    path("deposits/<int:id>/return/", deposit_api.DepositReturnView.as_view(), name="deposit-return"),
    path(
        "deposits/<int:id>/return", deposit_api.DepositReturnNoSlash.as_view(), name="deposit-return-noslash"
    ),
    path("deposit-draws/<int:id>/paid/", deposit_api.DrawPaidView.as_view(), name="deposit-draw-paid"),
    path(
        "deposit-draws/<int:id>/paid", deposit_api.DrawPaidNoSlash.as_view(), name="deposit-draw-paid-noslash"
    ),
    # credit: publication (the public list of major violations, no login)
    path("public/violations/", publication_api.PublicViolationsView.as_view(), name="public-violations"),
    # credit: grades
    path("credit/grades/", grades_api.GradeListView.as_view(), name="credit-grades"),
    # credit: listing (the joint-punishment list); POSTs answer with or without the trailing slash
    path("credit/listings/", listing_api.ListingsView.as_view(), name="api-credit-listings"),
    path("credit/listings", listing_api.ListingsNoSlash.as_view(), name="api-credit-listings-noslash"),
    path("credit/listings/<int:id>/serve-notice/", listing_api.ServeView.as_view(), name="api-credit-serve"),
    path(
        "credit/listings/<int:id>/serve-notice",
        listing_api.ServeNoSlash.as_view(),
        name="api-credit-serve-noslash",
    ),
    path("credit/listings/<int:id>/defence/", listing_api.DefenceView.as_view(), name="api-credit-defence"),
    path(
        "credit/listings/<int:id>/defence",
        listing_api.DefenceNoSlash.as_view(),
        name="api-credit-defence-noslash",
    ),
    path("credit/listings/<int:id>/decide/", listing_api.DecideView.as_view(), name="api-credit-decide"),
    path(
        "credit/listings/<int:id>/decide",
        listing_api.DecideNoSlash.as_view(),
        name="api-credit-decide-noslash",
    ),
    path("credit/listings/<int:id>/remove/", listing_api.RemoveView.as_view(), name="api-credit-remove"),
    path(
        "credit/listings/<int:id>/remove",
        listing_api.RemoveNoSlash.as_view(),
        name="api-credit-remove-noslash",
    ),
    path("credit/conditions/", listing_api.conditions, name="api-credit-conditions"),
    # conference (meetings, minutes, decisions) and reports (periodic reports, publicity): each app
    # keeps its part's list
    path("", include("anxin.conference.api_urls")),
    path("", include("anxin.reports.api_urls")),
    path("", include("anxin.assessment.api_urls")),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]), name="api-schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:api-schema", permission_classes=[IsAuthenticated]),
        name="api-docs",
    ),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, as the schema documents (not the HTML page).
    re_path(r"^[\s\S]*/$", api_not_found),
]
