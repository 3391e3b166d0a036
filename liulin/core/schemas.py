"""Schemas every app's API shares: the error body `{"detail", "code", "field"}` that
`core.errors` and the API's handlers write, and `ERRORS`, the responses an endpoint lists
beside its 200 (`response={200: XOut, **ERRORS}`)."""

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    detail: Any = Field(description="说明（校验错误时为逐项列表）")
    code: str = Field(description="机器可读的错误代码，如 not_found、illegal_transition、insufficient_scope")
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
