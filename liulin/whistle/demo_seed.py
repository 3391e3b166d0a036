"""Demo work orders for the demo community (called by `manage.py seed_demo`)."""

from django.conf import settings

from .demo import seed_demo_tickets


def seed(demo):
    seed_demo_tickets(demo.community, count=settings.LIULIN_DEMO_TICKETS)
