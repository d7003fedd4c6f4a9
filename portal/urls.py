"""Page routes of the provider portal (/portal/) and the home redirect (the console has console/urls.py)."""

from django.urls import path

from . import live_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/scores/<int:score_id>/metrics/<str:key>/", views.metric_explain, name="metric"),
    path("portal/merchants/<int:merchant_id>/", views.merchant_detail, name="merchant"),
    path("portal/decisions/<int:decision_id>/appeal/", views.appeal_file, name="appeal"),
    path("live/<str:external_id>/", live_views.wall, name="live-wall"),
    path("live/<str:external_id>/state.json", live_views.wall_json, name="live-wall-state"),
]
