"""Bookings as an iCalendar feed (RFC 5545): one VEVENT per booking that holds its time, with
the resource's name and the booking's state; no personal data."""

import datetime

from liulin.core import clock

from .models import HOLDING_STATES


def _escape(text):
    return str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "").replace("\n", "\\n")


def _utc(value):
    return value.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _fold(line):
    """Lines longer than 75 octets continue on the next line after a space."""
    data, out = line.encode("utf-8"), []
    while len(data) > 75:
        cut = 75
        while (data[cut] & 0xC0) == 0x80:  # never inside a UTF-8 character
            cut -= 1
        out.append(data[:cut].decode("utf-8"))
        data = b" " + data[cut:]
    out.append(data.decode("utf-8"))
    return "\r\n".join(out)


def bookings_calendar(bookings, *, host="liulin"):
    stamp = _utc(clock.now())
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Liulin//Venues//ZH", "CALSCALE:GREGORIAN"]
    for booking in bookings:
        if booking.state not in HOLDING_STATES:
            continue
        lines += [
            "BEGIN:VEVENT",
            f"UID:booking-{booking.pk}@{host}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(booking.starts_at)}",
            f"DTEND:{_utc(booking.ends_at)}",
            f"SUMMARY:{_escape(booking.resource.name)}",
            f"STATUS:{'TENTATIVE' if booking.state == 'requested' else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
