"""Text messages go through a provider chosen by `LIULIN_SMS_PROVIDER` (a dotted class path).
A provider has one method, `send(mobile, text)`, that returns normally when the gateway
accepted the message and raises `SmsError` otherwise. Two come with the platform: the console
(logs it; the default) and a file (one JSON line per message, `LIULIN_SMS_FILE`), for
development and tests; a deployment adds its carrier's gateway as a class of its own."""

import json
import logging

from django.conf import settings
from django.utils.module_loading import import_string

from liulin.core import clock

log = logging.getLogger(__name__)


class SmsError(Exception):
    pass


class SmsProvider:
    def send(self, mobile, text):
        raise NotImplementedError


class ConsoleSmsProvider(SmsProvider):
    def send(self, mobile, text):
        log.info("SMS to %s: %s", mobile, text)


class FileSmsProvider(SmsProvider):
    def send(self, mobile, text):
        line = json.dumps({"to": mobile, "text": text, "at": clock.now().isoformat()}, ensure_ascii=False)
        with open(settings.LIULIN_SMS_FILE, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def provider():
    return import_string(settings.LIULIN_SMS_PROVIDER)()
