"""Error pages in the site's layout and language, with a way back (Django renders 500.html without a context)."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from tests.conftest import page_client


def test_server_error_page_renders_without_a_request():
    with translation.override("zh-hans"):
        html = render_to_string("500.html")
    assert "出错了" in html and '<a href="/">返回首页</a>' in html and 'class="top"' in html


@pytest.mark.django_db
def test_not_found_page_for_a_provider_user_in_chinese(provider_user):
    response = page_client(provider_user).get("/portal/merchants/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body and "返回首页" in body and '<html lang="zh-hans">' in body
