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
