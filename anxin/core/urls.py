from django.contrib.auth import views as auth_views
from django.urls import path

from anxin.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("settings/parameters/", views.parameter_list, name="parameter-list"),
    path("settings/parameters/<str:code>/", views.parameter_detail, name="parameter-detail"),
    path("settings/calendar/", views.calendar_view, name="calendar"),
    path("settings/calendar/day/", views.calendar_day_edit, name="calendar-day"),
    path("settings/calendar/year/", views.calendar_year_add, name="calendar-year"),
    path("security/events/", views.security_events, name="security-events"),
    path("security/audit/", views.audit_log, name="audit-log"),
    path("policy/", views.policy_clauses, name="policy-clauses"),
]
