from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.shortcuts import render
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
