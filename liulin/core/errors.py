"""Typed domain errors. Services raise them; the middleware and the API turn them into a
friendly page or a JSON body `{"detail": ..., "code": ...}` with the right HTTP status;
forms show them as form errors."""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail, *, code=None, field=None):
        super().__init__(str(detail))
        self.detail = str(detail)
        if code:
            self.code = code
        self.field = field

    def as_dict(self):
        body = {"detail": self.detail, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class Invalid(DomainError):
    status = 400
    code = "invalid"


class NotPermitted(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


def add_to_form(form, error):
    """Show a domain error on a Django form instead of a crash page."""
    form.add_error(error.field if error.field in form.fields else None, error.detail)
