"""Page routes of the playbook app (the public operator record beside certificate verification)."""

from django.urls import re_path

from . import views

app_name = "playbook"

NUMBER = r"(?P<number>[^/]+?)"

urlpatterns = [
    re_path(rf"^verify/operators/{NUMBER}\.json$", views.RecordJsonView.as_view(), name="record-json"),
    re_path(rf"^verify/operators/{NUMBER}/$", views.record_page, name="record"),
]
