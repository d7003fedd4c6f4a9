"""Page routes of the certification app (public certificate verification)."""

from django.urls import re_path

from . import views

app_name = "certification"

NUMBER = r"(?P<number>[^/]+?)"

urlpatterns = [
    re_path(rf"^verify/{NUMBER}\.json$", views.VerifyJsonView.as_view(), name="verify-json"),
    re_path(rf"^verify/{NUMBER}/$", views.verify_page, name="verify"),
    re_path(r"^verify/$", views.verify_search, name="verify-search"),
]
