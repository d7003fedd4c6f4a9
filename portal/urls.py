"""Page routes: home redirect, the provider portal (/portal/) and the staff console (/console/)."""

from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/scores/<int:score_id>/metrics/<str:key>/", views.metric_explain, name="metric"),
    path("portal/merchants/<int:merchant_id>/", views.merchant_detail, name="merchant"),
    path("console/", views.console, name="console"),
    path("console/admissions/", views.admissions, name="admissions"),
    path("console/admissions/<int:pk>/<str:action>/", views.admission_act, name="admission-act"),
    path("console/cycles/", views.cycles, name="cycles"),
    path("console/cycles/start/", views.cycle_start, name="cycle-start"),
    path("console/cycles/<int:pk>/", views.cycle_detail, name="cycle"),
    path("console/cycles/<int:pk>/status.json", views.cycle_status, name="cycle-status"),
    path("console/delistings/", views.delistings, name="delistings"),
    path("console/delistings/<int:pk>/<str:action>/", views.delisting_act, name="delisting-act"),
    path("console/leaderboard/", views.leaderboard, name="leaderboard"),
    path("console/ledger/", views.ledger, name="ledger"),
]
