from django.shortcuts import render

from .errors import DomainError


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
