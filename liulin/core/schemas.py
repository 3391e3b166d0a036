"""Schemas every app's API shares: the error body `{"detail", "code", "field"}` that
`core.errors` and the API's handlers write, and `ERRORS`, the responses an endpoint lists
beside its 200 (`response={200: XOut, **ERRORS}`)."""

from typing import Any

from ninja import Field, Schema


class FieldErrorOut(Schema):
    field: str = Field(description="出错的字段（嵌套时以点分隔）")
    code: str = Field(description="错误类型，如 missing、string_too_long")
    message: str = Field(description="按请求语言的说明")


class ErrorOut(Schema):
    detail: Any = Field(description="说明，按请求语言（中文，或 Accept-Language: en 时英文）")
    code: str = Field(description="机器可读的错误代码，如 not_found、illegal_transition、insufficient_scope、invalid_input")
    field: str | None = None
    errors: list[FieldErrorOut] | None = Field(None, description="校验错误（422 invalid_input）时逐项列出")


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
