"""`{% map_tiles %}`: the data attributes that tell static/js/map.js which tile server to
use (settings.LIULIN_MAP_TILE_URL, liulin/core/maps.py); nothing when none is configured,
so by default a map loads no tiles at all."""

from django import template
from django.conf import settings
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def map_tiles():
    url = getattr(settings, "LIULIN_MAP_TILE_URL", "")
    if not url:
        return ""
    return format_html(' data-tiles="{}" data-tiles-attribution="{}"', url, getattr(settings, "LIULIN_MAP_TILE_ATTRIBUTION", ""))
