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
