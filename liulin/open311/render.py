"""GeoReport v2 documents in XML and JSON from the same ordered dicts.

XML is built with xml.etree.ElementTree, which escapes text, so no value can break out of
its element; every text passes `core.text.xml_text` first, since ElementTree writes control
characters XML cannot carry as they are and one of them makes the whole document unparseable.
Element order is the order of the dict, which follows the spec's examples.
"""

import json
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

from liulin.core.text import xml_text

CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
# The element name of one item inside each list element.
ITEMS = {
    "service_requests": "request",
    "services": "service",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def iso(value):
    """ISO 8601 in local time with its offset, no fractions: 2026-03-02T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()


def _fill(element, value):
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ET.SubElement(element, name), child)
    elif isinstance(value, list):
        item = ITEMS[element.tag]
        for child in value:
            _fill(ET.SubElement(element, item), child)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = xml_text(str(value))


def to_xml(root, value):
    element = ET.Element(root)
    _fill(element, value)
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8", xml_declaration=False)


def respond(fmt, root, value, status=200):
    """`value` as `<root>…</root>` or as JSON."""
    if fmt == "xml":
        body = to_xml(root, value)
    else:
        body = json.dumps(value, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES.get(fmt, CONTENT_TYPES["json"]))


def error_response(fmt, status, description):
    """The spec's error document: <errors><error><code/><description/></error></errors>."""
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)
