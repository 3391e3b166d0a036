"""Demo accounts: one per role, with fixed mobile numbers and one documented password.

`make run` prints them (`manage.py demo_logins`) so a newcomer can log in as each kind of
user and see what that role sees.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from liulin.accounts.models import RoleAssignment, User
from liulin.core.roles import Role
from liulin.orgs.models import Membership

from . import facts
from .roster import owners_committee

DEMO_PASSWORD = "liulin-demo-2026"


@dataclass(frozen=True)
class DemoAccount:
    mobile: str
    role: Role
    name: str = ""  # empty: the linked resident's or organisation member's name
    area: str = ""  # area code
    grid: int | None = None  # index into the demo grids
    org: str = ""  # organisation name
    member_title: str = ""  # the account belongs to the org member holding this title
    resident: str = ""  # which demo resident the account belongs to, see `pick_resident`


FIRST_ESTATE = facts.ESTATES[0][0]

ACCOUNTS = [
    DemoAccount("19900000001", Role.COMMUNITY_SECRETARY, "周红梅", area=facts.COMMUNITY_CODE),
    DemoAccount("19900000002", Role.COMMUNITY_STAFF, "刘静", area=facts.COMMUNITY_CODE),
    DemoAccount("19900000003", Role.HOTLINE_OPERATOR, "陈晓燕", area=facts.COMMUNITY_CODE),
    DemoAccount("19900000004", Role.GRID_WORKER, "王建军", grid=0),
    DemoAccount("19900000005", Role.GRID_WORKER, "李娜", grid=1),
    DemoAccount("19900000006", Role.PROPERTY_STAFF, org=facts.PROPERTY_COMPANY, member_title="客服主管"),
    DemoAccount("19900000007", Role.COMMITTEE_MEMBER, org=owners_committee(FIRST_ESTATE), member_title="主任"),
    DemoAccount("19900000008", Role.PARTNER_CONTACT, org=facts.PARTNER_UNITS[0], member_title="共建联络员"),
    DemoAccount("19900000009", Role.DEPARTMENT_OFFICER, org=facts.DEPARTMENTS[0][0], member_title="联络员"),
    DemoAccount("19900000010", Role.VOLUNTEER_LEADER, org=facts.VETERAN_VOLUNTEERS, member_title="队长"),
    DemoAccount("19900000011", Role.TEACHER, "黄秀英", org=facts.ELDERLY_UNIVERSITY),
    DemoAccount("19900000012", Role.VENUE_MANAGER, "孙立新", area=facts.COMMUNITY_CODE),
    DemoAccount("19900000013", Role.AUDITOR, "吴敏", area=facts.COMMUNITY_CODE),
    DemoAccount("19900000014", Role.RESIDENT, resident="living_alone"),
    DemoAccount("19900000015", Role.RESIDENT, resident="family"),
    # A second department: the demo's 住建局 verifies (核单) property and municipal work orders
    # (whistle/demo_seed.py DEMO_VERIFIERS), so its officer has a worklist of his own.
    DemoAccount("19900000016", Role.DEPARTMENT_OFFICER, org=facts.DEPARTMENTS[1][0], member_title="联络员"),
    # The 心理咨询室's counsellor (counselling/demo_seed.py opens her slots).
    DemoAccount("19900000017", Role.COUNSELLOR, "何静宜", area=facts.COMMUNITY_CODE),
]


def pick_resident(people, which, *, skip=()):
    """The index of the demo resident behind a resident account, chosen by what he shows off:
    an elder living alone in grid 1 (care tags), or the head of a three-generation family
    in grid 1 (a household with several members). Indexes in `skip` already have an account."""
    for i, person in enumerate(people):
        if person.estate != FIRST_ESTATE or i in skip:
            continue
        if which == "living_alone" and "living-alone-elderly" in person.care_tags:
            return i
        if which == "family" and person.composition == "three_generations" and person.relation == "head":
            return i
    raise LookupError(f"no demo resident fits {which!r}")


class _Accounts:
    def __init__(self, areas, grids, orgs, people, resident_ids):
        self.areas, self.grids, self.orgs = areas, grids, orgs
        self.people, self.resident_ids = people, resident_ids
        self._password = None

    def password(self):
        # One hash for all demo accounts: hashing is deliberately slow and they share the password.
        if self._password is None:
            self._password = make_password(DEMO_PASSWORD)
        return self._password

    def member(self, account):
        if not account.member_title:
            return None
        return Membership.objects.filter(org=self.orgs[account.org], title=account.member_title).order_by("pk").first()

    def create(self, account):
        member = self.member(account)
        user = User.objects.filter(mobile=account.mobile).first() or self.new_user(account, member)
        if member is not None and member.user_id is None:
            Membership.objects.filter(pk=member.pk).update(user=user)
        RoleAssignment.objects.get_or_create(user=user, role=account.role, **self.scope(account))
        if account.role == Role.GRID_WORKER and not user.work_phone:
            # A demo grid worker publishes his demo login number as his duty phone, so a demo
            # resident's home has a 给网格员打电话 button to try.
            User.objects.filter(pk=user.pk).update(work_phone=account.mobile)
            user.work_phone = account.mobile
        return user

    def new_user(self, account, member):
        """A new account, linked to its resident record unless that resident already has one."""
        linked = set(User.objects.filter(resident__isnull=False).values_list("resident_id", flat=True))
        name, resident_id = account.name, None
        if account.resident:
            skip = {i for i, p in enumerate(self.people) if self.resident_ids[p.id_number] in linked}
            person = self.people[pick_resident(self.people, account.resident, skip=skip)]
            name, resident_id = person.name, self.resident_ids[person.id_number]
        elif member is not None:
            name = name or member.name
            resident_id = member.resident_id if member.resident_id not in linked else None
        return User.objects.create(
            mobile=account.mobile, name=name, password=self.password(), resident_id=resident_id, is_demo=True
        )

    def scope(self, account):
        if account.area:
            return {"area": self.areas[account.area], "grid": None, "org": None}
        if account.grid is not None:
            return {"area": None, "grid": self.grids[account.grid], "org": None}
        if account.org:
            return {"area": None, "grid": None, "org": self.orgs[account.org]}
        return {"area": None, "grid": None, "org": None}


def seed_logins(*, areas, grids, orgs, people, resident_ids):
    """The demo accounts with their role assignments, by mobile number."""
    accounts = _Accounts(areas, grids, orgs, people, resident_ids)
    return {account.mobile: accounts.create(account) for account in ACCOUNTS}


def login_rows():
    """(role, mobile, name, scope) of every demo account present, in the documented order."""
    users = {
        u.mobile: u
        for u in User.objects.filter(mobile__in=[a.mobile for a in ACCOUNTS], is_demo=True).select_related(
            "resident__household__building__estate"
        )
    }
    assignments = {
        (ra.user_id, ra.role): ra
        for ra in RoleAssignment.objects.filter(user__in=users.values()).select_related("area", "grid", "org")
    }
    rows = []
    for account in ACCOUNTS:
        user = users.get(account.mobile)
        if user is None:
            continue
        assignment = assignments.get((user.pk, account.role))
        scope = str(assignment.scope) if assignment else ""
        if account.role == Role.RESIDENT and user.resident and user.resident.household:
            scope = user.resident.household.address
        rows.append((account.role.label, account.mobile, user.name, scope))
    return rows
