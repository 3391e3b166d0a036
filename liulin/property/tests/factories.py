import datetime

from liulin.accounts.tests.factories import make_user
from liulin.core.roles import Role
from liulin.orgs.models import Organisation
from liulin.orgs.tests.factories import OrganisationFactory
from liulin.people.tests.factories import ResidentFactory
from liulin.property import services
from liulin.property.models import Survey
from liulin.territory.tests.factories import BuildingFactory, CommunityFactory, GridFactory, HouseholdFactory

YEAR = 2026


class Estate:
    """One community with an estate, its property company under contract for 2026, community
    staff, a grid worker, an auditor, the company's staff, owners and a supervisor."""

    def __init__(self):
        self.community = CommunityFactory()
        self.grid = GridFactory(community=self.community)
        self.building = BuildingFactory(grid=self.grid)
        self.estate = self.building.estate
        self.company = OrganisationFactory(community=self.community, kind=Organisation.Kind.PROPERTY_COMPANY)
        self.staff = make_user(Role.COMMUNITY_STAFF, self.community)
        self.users = {
            Role.COMMUNITY_STAFF: self.staff,
            Role.COMMUNITY_SECRETARY: make_user(Role.COMMUNITY_SECRETARY, self.community),
            Role.GRID_WORKER: make_user(Role.GRID_WORKER, self.grid),
            Role.AUDITOR: make_user(Role.AUDITOR, self.community),
            Role.PROPERTY_STAFF: make_user(Role.PROPERTY_STAFF, self.company),
            Role.RESIDENT: self.owner(),
        }
        self.contract = services.create_contract(
            actor=self.staff, estate=self.estate, company=self.company, starts_on=datetime.date(YEAR, 1, 1),
            ends_on=datetime.date(YEAR + 2, 12, 31), fee_fen=150, signed_by="业主委员会")

    def owner(self):
        """A resident of a new household of the estate, with an account."""
        resident = ResidentFactory(household=HouseholdFactory(building=self.building))
        return make_user(Role.RESIDENT, resident=resident)

    def survey(self, **kwargs):
        return services.create_survey(actor=self.staff, estate=self.estate, year=YEAR, **kwargs)

    def survey_in(self, state):
        survey = self.survey()
        Survey.objects.filter(pk=survey.pk).update(state=state)
        survey.refresh_from_db()
        return survey

    def open_survey(self, **kwargs):
        survey = self.survey(**kwargs)
        return services.act(actor=self.staff, survey=survey, action="open")
