"""Page routes of the provider portal (/portal/) and the home redirect (the console has console/urls.py)."""

from django.urls import path

from . import ecosystem_views, live_views, playbook_views, settlement_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/scores/<int:score_id>/metrics/<str:key>/", views.metric_explain, name="metric"),
    path("portal/merchants/<int:merchant_id>/", views.merchant_detail, name="merchant"),
    path("portal/decisions/<int:decision_id>/appeal/", views.appeal_file, name="appeal"),
    path("portal/inbox/", views.inbox, name="inbox"),
    path("portal/statements/", settlement_views.statements, name="statements"),
    path("portal/statements/<int:statement_id>/", settlement_views.statement_detail, name="statement"),
    path("portal/statements/<int:statement_id>/print/", settlement_views.statement_print, name="statement-print"),
    path("portal/statements/<int:statement_id>/csv/", settlement_views.statement_csv, name="statement-csv"),
    path(
        "portal/statements/<int:statement_id>/lines/<int:position>/",
        settlement_views.line_sessions,
        name="statement-line",
    ),
    path("portal/statements/<int:statement_id>/<str:action>/", settlement_views.statement_act, name="statement-act"),
    path("portal/programme/", ecosystem_views.programme, name="programme"),
    path("portal/plans/", playbook_views.plans, name="plans"),
    path("portal/plans/<int:plan_id>/", playbook_views.plan_detail, name="plan"),
    path("portal/reviews/<int:review_id>/", playbook_views.review_detail, name="review"),
    path("portal/operators/<int:operator_id>/record/", playbook_views.record_consent, name="record-consent"),
    path("live/<str:external_id>/", live_views.wall, name="live-wall"),
    path("live/<str:external_id>/state.json", live_views.wall_json, name="live-wall-state"),
]
