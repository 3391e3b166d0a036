import time

from django.core.management.base import BaseCommand

from liulin.accounts.models import User
from liulin.orgs.models import Membership, Organisation
from liulin.people.models import Resident
from liulin.territory.models import Building, Facility, Grid, Household

from ...seed import seed_demo


class Command(BaseCommand):
    help = "Load the demo 中南社区 (Zhongnan community). Running it again changes nothing."

    def handle(self, *args, **options):
        started = time.monotonic()
        demo = seed_demo()
        community = demo.community
        counts = [
            ("网格", Grid.objects.filter(community=community).count()),
            ("楼栋", Building.objects.filter(community=community).count()),
            ("住户", Household.objects.filter(community=community).count()),
            ("居民", Resident.objects.filter(household__community=community).count()),
            ("设施", Facility.objects.filter(community=community).count()),
            ("组织", Organisation.objects.filter(is_demo=True).count()),
            ("成员", Membership.objects.filter(is_demo=True).count()),
            ("演示账号", User.objects.filter(is_demo=True).count()),
        ]
        summary = "，".join(f"{label} {n}" for label, n in counts)
        self.stdout.write(f"演示社区 {community.full_name()}：{summary}（{time.monotonic() - started:.1f} 秒）")
