"""Django's makemessages, also reading `N_("...")` (gettext_noop) as a message to extract:
texts stored untranslated and translated when read (notifications, event reasons) are
marked with it, and without this keyword they would turn obsolete in the .po file."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=N_"]
