from .models import AccessLog, AuditLog


def record(*, actor, action, target, **data):
    """Write one audit row for a change made by `actor` to `target`."""
    return AuditLog.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        data=data,
    )


def record_access(*, actor, target, field, reason):
    return AccessLog.objects.create(
        actor=actor, target_type=target._meta.label_lower, target_id=str(target.pk), field=field, reason=reason
    )


def record_search(*, actor, model, field, term):
    """One access-log row for a search on the hidden part of `field`: it finds no single
    row, so the row names what was searched (the term) instead of a target."""
    return AccessLog.objects.create(
        actor=actor, target_type=model._meta.label_lower, target_id="", field=f"{field}_search", reason=term[:200]
    )
