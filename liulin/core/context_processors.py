from django.utils.http import url_has_allowed_host_and_scheme

from .plugins import nav_for


def return_to(request):
    """Where the elder-mode and language switches lead back to: this page, or - after a form
    POST, whose URL may not answer GET - the page the form was on."""
    if request.method == "GET":
        return request.get_full_path()
    referer = request.META.get("HTTP_REFERER", "")
    if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        return referer
    return "/"


def ui(request):
    """Elder mode (长辈版, remembered on the user, or in the session before login) and the menu."""
    user = getattr(request, "user", None)
    base = {"return_to": return_to(request)}
    if user is not None and user.is_authenticated:
        return base | {
            "elder_mode": user.elder_mode,
            "nav": nav_for(user),  # what the apps registered (core.plugins)
        }
    session = getattr(request, "session", None)
    return base | {"elder_mode": bool(session.get("elder_mode")) if session is not None else False, "nav": []}

