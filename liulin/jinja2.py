"""The Jinja2 environment for the long lists' row templates (`<app>/jinja2/`).

Every other page is a Django template. A row of the worklist or the supervisor board
rendered by Django's engine took 0.3 ms (twenty-odd variables, each resolved, localised and
escaped through several layers); a page of 25 to 60 rows spent more on its rows than on
all its queries. Jinja2 compiles a template to Python. See docs/decisions.md.

The rows are written so that `manage.py makemessages` still finds their strings: text is
`{{ _("...") }}`, with placeholders filled by `|format(...)`, which Django's template
scanner reads as it reads `{% trans %}`.
"""

from django.template.defaultfilters import truncatechars
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment

from liulin.core.links import row_path
from liulin.whistle.templatetags import whistle_tags


def environment(**options):
    env = Environment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext)
    env.globals.update(url=reverse, row_path=row_path)
    env.filters.update(
        truncatechars=truncatechars,
        local=whistle_tags.local,
        state_class=whistle_tags.state_class,
        state_label=whistle_tags.state_label,
        is_overdue=whistle_tags.is_overdue,
    )
    return env
