import datetime

from liulin.accounts.tests.factories import make_user
from liulin.core import clock, lottery, publication
from liulin.core.roles import Role
from liulin.housing import services
from liulin.housing.models import Apartment, Application, Lease, Round
from liulin.people.tests.factories import ResidentFactory, make_id_number
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

RULES = [
    ("no_local_housing", "本市无自有住房", "yes", None, "不动产登记查询证明"),
    ("annual_income_fen", "家庭年收入不超过 20 万元", "max", 20_000_000, "收入证明"),
    ("local_employment_months", "本地稳定就业满 6 个月", "min", 6, "劳动合同及社保缴纳证明"),
]
TIERS = [("a", "A 类高层次人才", 0), ("b", "B 类骨干人才", 1), ("c", "C 类青年人才", 2)]
GOOD = {"no_local_housing": True, "annual_income_fen": 12_000_000, "local_employment_months": 18}


class Town:
    """One community with staff, a secretary, apartments and a round of applications."""

    def __init__(self, apartments=3):
        self.community = CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.staff = make_user(Role.COMMUNITY_STAFF, self.community)
        self.reviewer = make_user(Role.COMMUNITY_STAFF, self.community)
        self.secretary = make_user(Role.COMMUNITY_SECRETARY, self.community)
        self.apartments = [
            Apartment.objects.create(community=self.community, building=self.building, number=f"A-{101 + i}",
                                     layout=Apartment.Layout.ONE_BED, area_dm2=4550, rent_fen=90000, deposit_fen=180000)
            for i in range(apartments)
        ]

    def round(self, state=Round.State.OPEN):
        round_ = services.create_round(actor=self.staff, community=self.community, title="2026 年第一批青年人才公寓",
                                       rules=RULES, tiers=TIERS)
        if state != Round.State.OPEN:
            notice = None
            if state not in (Round.State.OPEN, Round.State.REVIEWING):  # its 公示 published a month ago, its period over
                notice = publication.publish(actor=self.staff, origin=services.ORIGIN, subject_id=round_.pk, community=self.community,
                                             title=round_.title, body="合格名单", now=clock.now() - datetime.timedelta(days=30))
            Round.objects.filter(pk=round_.pk).update(state=state, notice_id=notice and notice.id, list_hash=lottery.applicants_hash([]))
            round_.refresh_from_db()
        return round_

    def resident(self):
        self.n = getattr(self, "n", 0) + 1
        birth = datetime.date(1998, 3, 4)
        resident = ResidentFactory(household=HouseholdFactory(building=self.building), birth_date=birth,
                                   id_number=make_id_number(birth, seq=self.n % 1000, region=f"43{id(self) % 9000:04d}"))
        resident.user = make_user(Role.RESIDENT, resident=resident)
        return resident

    def apply(self, round_, resident=None, tier="c", answers=None, documents=True):
        resident = resident or self.resident()
        application = services.submit_application(actor=resident.user, round=round_, applicant=resident, tier=tier,
                                                  answers=answers or GOOD)
        if documents:
            application.documents.update(provided=True)
        application.applicant = resident
        return application

    def application_in(self, state, round_=None):
        """An application put straight into `state` (with an offer or lease as that state needs)."""
        round_ = round_ or self.round()
        application = self.apply(round_)
        if round_.state == Round.State.OPEN:
            Round.objects.filter(pk=round_.pk).update(state=Round.State.REVIEWING)
        changes = {"state": state}
        if state in (Application.State.OFFERED, Application.State.ACCEPTED, Application.State.HOUSED):
            changes.update(offered_apartment=self.apartments[0], offer_deadline=clock.now() + datetime.timedelta(days=7))
        if state in (Application.State.WAITING, Application.State.OFFERED, Application.State.ACCEPTED, Application.State.HOUSED):
            changes.update(rank=1, draw_group=2)
        Application.objects.filter(pk=application.pk).update(**changes)
        resident = application.applicant
        application.refresh_from_db()
        application.applicant = resident
        return application

    def lease_in(self, state, *, ends_in_days=60):
        round_ = self.round()
        application = self.application_in(Application.State.ACCEPTED, round_)
        Round.objects.filter(pk=round_.pk).update(state=Round.State.DRAWN)
        today = clock.today()
        starts = today - datetime.timedelta(days=300)
        apartment = Apartment.objects.create(community=self.community, building=self.building, number=f"B-{Lease.objects.count() + 1}",
                                             layout=Apartment.Layout.STUDIO, area_dm2=3000, rent_fen=70000, deposit_fen=140000)
        Application.objects.filter(pk=application.pk).update(offered_apartment=apartment)
        lease = Lease.objects.create(apartment=apartment, application=application, tenant=application.applicant,
                                     state=state, starts_on=starts, term_months=12, ends_on=today + datetime.timedelta(days=ends_in_days),
                                     rent_fen=90000, deposit_fen=180000)
        return lease
