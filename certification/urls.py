"""Page routes of the certification app (public certificate verification)."""

urlpatterns = []
