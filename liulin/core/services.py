from . import audit


def set_elder_mode(request, *, on):
    """长辈版: bigger text and targets, remembered on the account (or the session before login)."""
    user = request.user
    if user.is_authenticated:
        if user.elder_mode != on:
            user.elder_mode = on
            user.save(update_fields=["elder_mode"])
            audit.record(actor=user, action="elder_mode", target=user, on=on)
    else:
        request.session["elder_mode"] = on


def set_language(request, *, language):
    """The interface language, remembered on the account so every device shows it; before
    login the language cookie (set by the view) carries it alone."""
    user = request.user
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit.record(actor=user, action="language", target=user, language=language)
