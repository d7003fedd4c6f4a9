"""The OpenAPI schema and the Swagger UI page are for signed-in users only."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core.tokens import api_token_create

pytestmark = pytest.mark.django_db
SCHEMA = "/api/schema/"
OPENAPI_JSON = "application/vnd.oai.openapi+json"


def test_anonymous_visitors_get_no_schema_and_are_sent_to_login_from_the_docs():
    schema = APIClient().get(SCHEMA, HTTP_ACCEPT=OPENAPI_JSON, HTTP_ACCEPT_LANGUAGE="en")
    assert schema.status_code == 401
    assert schema.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_a_bad_token_reads_no_schema():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(SCHEMA, HTTP_ACCEPT=OPENAPI_JSON).status_code == 401


@pytest.mark.parametrize("persona", ["staff", "auditor", "provider_user"])
def test_signed_in_staff_and_provider_users_read_the_schema_and_the_docs(persona, request):
    user = request.getfixturevalue(persona)
    page = Client()
    page.force_login(user)
    docs = page.get("/api/docs/")
    assert docs.status_code == 200 and "swagger-ui" in docs.content.decode()
    # The docs page fetches the schema with the same session.
    assert page.get(SCHEMA, HTTP_ACCEPT=OPENAPI_JSON).json()["info"]["title"] == "Saima API"

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(user=user)[1]}")
    assert "/api/v1/providers/" in api.get(SCHEMA, HTTP_ACCEPT=OPENAPI_JSON).json()["paths"]
