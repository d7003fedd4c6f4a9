"""Page routes of the provider portal (/portal/) and the home redirect (the console has console/urls.py)."""

from django.urls import path

from . import ecosystem_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.dashboard, name="dashboard"),
    path("portal/scores/<int:score_id>/metrics/<str:key>/", views.metric_explain, name="metric"),
    path("portal/merchants/<int:merchant_id>/", views.merchant_detail, name="merchant"),
    path("portal/decisions/<int:decision_id>/appeal/", views.appeal_file, name="appeal"),
    path("portal/programme/", ecosystem_views.programme, name="programme"),
]
