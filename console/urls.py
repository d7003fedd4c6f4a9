"""Page routes of the staff console (/console/)."""

from django.urls import path

from . import ecosystem_views, live_views, playbook_views, settlement_views, views

app_name = "console"

urlpatterns = [
    path("console/", views.console, name="home"),
    path("console/admissions/", views.admissions, name="admissions"),
    path("console/admissions/<int:pk>/<str:action>/", views.admission_act, name="admission-act"),
    path("console/cycles/", views.cycles, name="cycles"),
    path("console/cycles/start/", views.cycle_start, name="cycle-start"),
    path("console/cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("console/cycles/<int:pk>/run/", views.cycle_run, name="cycle-run"),
    path("console/cycles/<int:pk>/preview/", views.cycle_preview, name="cycle-preview"),
    path("console/cycles/<int:pk>/comparison/", views.cycle_comparison, name="cycle-comparison"),
    path("console/cycles/<int:pk>/publish/", views.cycle_publish, name="cycle-publish"),
    path("console/cycles/<int:pk>/status.json", views.cycle_status, name="cycle-status"),
    path("console/delistings/", views.delistings, name="delistings"),
    path("console/delistings/<int:pk>/<str:action>/", views.delisting_act, name="delisting-act"),
    path("console/appeals/", views.appeals, name="appeals"),
    path("console/appeals/<int:pk>/decide/", views.appeal_decide, name="appeal-decide"),
    path("console/leaderboard/", views.leaderboard, name="leaderboard"),
    path("console/ledger/", views.ledger, name="ledger"),
    path("console/providers/<int:pk>/", views.provider, name="provider"),
    path("console/statements/", settlement_views.statements, name="statements"),
    path("console/statements/run/", settlement_views.statement_run, name="statement-run"),
    path("console/statements/<int:pk>/", settlement_views.statement_detail, name="statement"),
    path("console/statements/<int:pk>/<str:action>/", settlement_views.statement_act, name="statement-act"),
    path("console/ecosystem/", ecosystem_views.ecosystem_report, name="ecosystem-report"),
    path("console/ecosystem/merchants/", ecosystem_views.ecosystem_merchants, name="ecosystem-merchants"),
    path("console/ecosystem/providers/", ecosystem_views.ecosystem_providers, name="ecosystem-providers"),
    path("console/ecosystem/programme/", ecosystem_views.ecosystem_programme, name="ecosystem-programme"),
    path("console/plans/", playbook_views.plans, name="plans"),
    path("console/plans/<int:plan_id>/", playbook_views.plan_detail, name="plan"),
    path("console/reviews/<int:review_id>/", playbook_views.review_detail, name="review"),
    path("console/live/", live_views.walls, name="live-walls"),
    path("console/operator-records/", playbook_views.records, name="records"),
]
