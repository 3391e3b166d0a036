"""An expired session on an htmx request: the page reloads on the login page (core middleware
HtmxLoginRedirectMiddleware), instead of htmx swapping a login page into a fragment."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

FRAGMENTS = ["notifications:bell", "people:resident_list", "whistle:caller_lookup"]


def next_of(url):
    parts = urlsplit(url)
    assert parts.path == reverse("accounts:login")
    return parse_qs(parts.query).get("next", [None])[0]


@pytest.mark.parametrize("name", FRAGMENTS)
def test_an_htmx_request_without_a_session_is_told_to_reload_on_the_login_page(client, name):
    page = "http://testserver/people/residents/?q=%E7%8E%8B&page=2"
    response = client.get(reverse(name), headers={"HX-Request": "true", "HX-Current-URL": page})
    assert response.status_code == 200
    assert response.content == b""
    assert next_of(response["HX-Redirect"]) == "/people/residents/?q=%E7%8E%8B&page=2"  # the page URL as the browser had it
    assert "no-store" in response["Cache-Control"]


def test_an_htmx_post_without_a_session_reloads_too(client):
    headers = {"HX-Request": "true", "HX-Current-URL": "http://testserver/notifications/"}
    response = client.post(reverse("notifications:mark_read", args=[1]), headers=headers)
    assert response.status_code == 200
    assert next_of(response["HX-Redirect"]) == "/notifications/"


def test_a_page_from_another_site_is_not_taken_as_next(client):
    url = reverse("notifications:bell")
    response = client.get(url, headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/phish"})
    assert response.status_code == 200
    assert next_of(response["HX-Redirect"]) == url  # the login redirect's own next


def test_ordinary_requests_keep_the_plain_redirect(client):
    response = client.get(reverse("notifications:bell"))
    assert response.status_code == 302
    assert "HX-Redirect" not in response
    assert next_of(response["Location"]) == reverse("notifications:bell")


def test_a_logged_in_htmx_request_is_answered_as_usual(client):
    from liulin.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("notifications:bell"), headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/"})
    assert response.status_code == 200
    assert "HX-Redirect" not in response
    assert b"bell" in response.content

