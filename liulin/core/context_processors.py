from .permissions import has_perm_anywhere


def ui(request):
    """Elder mode (长辈版, remembered on the user, or in the session before login) and the menu."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {
            "elder_mode": user.elder_mode,
            "nav": {
                "registry": has_perm_anywhere(user, "people.view") and not _only_resident(user),
                "orgs": has_perm_anywhere(user, "orgs.view"),
                "whistle": has_perm_anywhere(user, "whistle.view"),
            },
        }
    session = getattr(request, "session", None)
    return {"elder_mode": bool(session.get("elder_mode")) if session is not None else False, "nav": {}}


def _only_resident(user):
    from .permissions import active_assignments
    from .roles import Role

    return not user.is_superuser and {a.role for a in active_assignments(user)} <= {Role.RESIDENT}
