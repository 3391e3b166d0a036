from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse
from django.shortcuts import render, resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .errors import DomainError, TooLarge
from .text import InvalidCharacter, clean_querydict
from .views import machine_error

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class DomainErrorMiddleware:
    """A domain error that escapes a page view becomes a friendly page with its status."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            from .views import machine_error

            response = machine_error(
                request, exception.status, exception.detail, exception.code, description=exception.detail
            ) or render(
                request, "error.html", {"error": exception}, status=exception.status
            )
            if getattr(exception, "retry_after", None):
                response["Retry-After"] = str(exception.retry_after)
            return response
        return None


class HtmxLoginRedirectMiddleware:
    """An htmx request whose session has expired reloads the whole page on the login page.

    `login_required` (and every other login redirect) answers 302 to the login page; the
    browser's XMLHttpRequest follows it silently and htmx would swap the login page into a
    search result, a caller card or the notice bell. For an htmx request (`HX-Request: true`)
    this turns that redirect into a 200 with `HX-Redirect`, which htmx answers by loading the
    URL as a full page; `next` is the page the user was on (`HX-Current-URL`), not the
    fragment's URL, so after logging in he is back where he was."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") == "true" and _is_login_redirect(response):
            return _htmx_redirect(_login_url_for_page(request, response))
        return response


def _is_login_redirect(response):
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.get("Location", "")).path == urlsplit(resolve_url(settings.LOGIN_URL)).path


def _login_url_for_page(request, response):
    """The login URL with `next` the page the htmx request came from, if that page is ours."""
    current = request.headers.get("HX-Current-URL", "")
    if not url_has_allowed_host_and_scheme(current, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return response["Location"]
    parts = urlsplit(current)
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    return redirect_to_login(page, redirect_field_name=REDIRECT_FIELD_NAME)["Location"]


def _htmx_redirect(url):
    response = HttpResponse(status=200)
    response["HX-Redirect"] = url
    add_never_cache_headers(response)
    return response


class InputHygieneMiddleware:
    """Every query string and form body passes `core.text.clean_text` before any view sees
    it (JSON bodies pass it in the API's parser): control characters removed, NUL refused
    with a 400 in the caller's format. A form body too large to read is a 413 for machine
    clients here, since this is where it is first read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            request.GET = clean_querydict(request.GET)
            if request.method == "POST" and request.content_type in FORM_TYPES:
                request.POST = clean_querydict(request.POST)
        except InvalidCharacter as error:
            return _refuse(request, error)
        except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            error = TooLarge(_("请求内容过大。"))
            response = machine_error(request, error.status, error.detail, error.code)
            if response is None:
                raise  # a page: Django's own 400, as before
            return response
        return self.get_response(request)


def _refuse(request, error):
    return machine_error(request, error.status, error.detail, error.code) or render(
        request, "error.html", {"error": error}, status=error.status
    )


class UserLanguageMiddleware:
    """A logged-in user's pages come in the language chosen on his account (界面语言); without
    one, LocaleMiddleware's choice (language cookie, then Accept-Language) stands. Placed
    after AuthenticationMiddleware, which it needs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if language and language in dict(settings.LANGUAGES):
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
