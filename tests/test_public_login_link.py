"""Public pages (the 办理公开 page, the monthly 三率) offer a way in: a login link that
leads back to the page; the login page itself does not link to itself."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["whistle:public", "whistle:kpi_public"])
def test_public_pages_link_to_the_login_and_back(client, name):
    html = client.get(reverse(name)).content.decode()
    path = reverse(name)
    assert f'href="{reverse("accounts:login")}?next={path}"' in html
    assert 'data-testid="login-link"' in html


def test_the_login_page_does_not_link_to_itself(client):
    assert 'data-testid="login-link"' not in client.get(reverse("accounts:login")).content.decode()
