"""Every read of 物业监督, scoped: staff, grid workers and auditors by area, a property
company's staff by their company, a resident by his household's estate, a supervisor by the
estates he was appointed to. Results are computed from the answer rows."""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from liulin.core import clock
from liulin.core.errors import NotFound
from liulin.core.permissions import NOT_FOUND, has_perm_anywhere, scope_q, scoped

from .models import (
    Answer,
    Dimension,
    Inspection,
    InspectionItem,
    ServiceContract,
    Supervisor,
    Survey,
    SurveyState,
)
from .workflow import SURVEY

RESIDENT_STATES = (SurveyState.OPEN, SurveyState.CLOSED, SurveyState.PUBLISHED)


def household_of(user):
    resident = getattr(user, "resident", None) if getattr(user, "resident_id", None) else None
    return getattr(resident, "household", None) if resident else None


def estate_id_of(user):
    household = household_of(user)
    return household.building.estate_id if household is not None else None


def may_open(user):
    return bool(getattr(user, "is_authenticated", False)) and (
        has_perm_anywhere(user, "property.view") or household_of(user) is not None)


def manages(user, obj):
    """May `user` manage (contracts, surveys, supervisors) where `obj` is?"""
    return scoped(user, type(obj)._default_manager.filter(pk=obj.pk), SURVEY.perm("manage")).exists()


# --- contracts ---------------------------------------------------------------------------------


def contracts_for(user):
    return scoped(user, ServiceContract.objects.all(), "property.view").select_related("estate", "company")


def contract_for(user, pk):
    contract = contracts_for(user).filter(pk=pk).first()
    if contract is None:
        raise NotFound(_(NOT_FOUND))
    return contract


def contract_in_force(estate, day=None):
    day = day or clock.today()
    return (ServiceContract.objects.filter(estate=estate, starts_on__lte=day, ends_on__gte=day)
            .select_related("company").order_by("-starts_on").first())


# --- surveys -----------------------------------------------------------------------------------


def _resident_q(user):
    estate_id = estate_id_of(user)
    if estate_id is None:
        return None
    return Q(estate_id=estate_id, state__in=RESIDENT_STATES)


def surveys_for(user):
    q = scope_q(user, SURVEY.perm("view"), Survey)
    resident = _resident_q(user)
    if resident is not None:
        q |= resident
    return Survey.objects.filter(q).select_related("estate", "company").order_by("-year", "estate_id")


def survey_for(user, pk):
    survey = surveys_for(user).filter(pk=pk).first()
    if survey is None:
        raise NotFound(_(NOT_FOUND))
    return survey


def response_of(user, survey):
    """The user's household's response to `survey`, or None."""
    household = household_of(user)
    if household is None:
        return None
    return survey.responses.filter(household=household).first()


def answered_surveys(user, surveys):
    """The ids of those of `surveys` the user's household answered (one query)."""
    from .models import Response

    household = household_of(user)
    if household is None or not surveys:
        return set()
    return set(Response.objects.filter(household=household, survey__in=[s.pk for s in surveys])
               .values_list("survey_id", flat=True))


def dimensions(survey):
    return list(Dimension.objects.filter(survey=survey))


@dataclass
class DimensionResult:
    code: str
    label: str
    answered: int
    satisfied: int

    @property
    def permille(self):
        return self.satisfied * 1000 // self.answered if self.answered else None

    @property
    def pct(self):
        p = self.permille
        return "" if p is None else f"{p // 10}.{p % 10}%"


@dataclass
class SurveyResult:
    target_pct: int
    responses: int
    households: int
    overall: DimensionResult
    dimensions: list = field(default_factory=list)

    @property
    def meets_target(self):
        """Satisfied answers ≥ target % of all answers, compared in integers."""
        return bool(self.overall.answered) and self.overall.satisfied * 100 >= self.target_pct * self.overall.answered

    @property
    def turnout_pct(self):
        if not self.households:
            return ""
        p = self.responses * 1000 // self.households
        return f"{p // 10}.{p % 10}%"


def results(survey):
    """% satisfied per dimension and overall (all answers pooled), from the answer rows."""
    from liulin.territory.models import Household

    counts = {row["dimension_id"]: row for row in Answer.objects.filter(response__survey=survey)
              .values("dimension_id").annotate(n=Count("pk"), ok=Count("pk", filter=Q(satisfied=True)))}
    dims = [DimensionResult(d.code, d.label, counts.get(d.pk, {}).get("n", 0), counts.get(d.pk, {}).get("ok", 0))
            for d in dimensions(survey)]
    overall = DimensionResult("overall", _("总体"), sum(d.answered for d in dims), sum(d.satisfied for d in dims))
    return SurveyResult(target_pct=survey.target_pct, responses=survey.responses.count(),
                        households=Household.objects.filter(building__estate_id=survey.estate_id).count(),
                        overall=overall, dimensions=dims)


def published_by_company(org_ids):
    """{company id: (year, overall result)} of each company's latest published survey, pooled
    over its estates surveyed that year: public figures, like the 三率."""
    latest = {}
    for survey in (Survey.objects.filter(company_id__in=list(org_ids), state=SurveyState.PUBLISHED)
                   .order_by("company_id", "-year")):
        latest.setdefault(survey.company_id, survey.year)
    out = {}
    for company_id, year in latest.items():
        rows = Answer.objects.filter(response__survey__company_id=company_id, response__survey__year=year,
                                     response__survey__state=SurveyState.PUBLISHED).aggregate(
            n=Count("pk"), ok=Count("pk", filter=Q(satisfied=True)))
        out[company_id] = (year, DimensionResult("overall", "", rows["n"], rows["ok"]))
    return out


# --- supervisors and inspections ---------------------------------------------------------------


def supervisors_for(user):
    return (scoped(user, Supervisor.objects.filter(ended_at__isnull=True), SURVEY.perm("manage"))
            .select_related("estate", "user"))


def supervised_estates(user):
    """The estates `user` is an appointed supervisor of now."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [s.estate for s in Supervisor.objects.filter(user=user, ended_at__isnull=True).select_related("estate")]


def inspections_for(user):
    return (scoped(user, Inspection.objects.all(), "property.view")
            .select_related("estate", "contract__company", "inspector").annotate(
                failed=Count("items", filter=Q(items__passed=False))))


def inspection_for(user, pk):
    inspection = inspections_for(user).filter(pk=pk).first()
    if inspection is None:
        raise NotFound(_(NOT_FOUND))
    return inspection


def items_of(inspection):
    return list(InspectionItem.objects.filter(inspection=inspection).select_related("scope_item"))


def estates_to_manage(user):
    """The estates of the communities where `user` manages."""
    from liulin.territory.models import Estate

    return scoped(user, Estate.objects.all(), SURVEY.perm("manage")).distinct().order_by("name")


def companies_to_manage(user):
    """The property companies `user` may contract with: those of his communities, or any
    property company without a community."""
    from liulin.orgs.models import Organisation

    estates = estates_to_manage(user)
    return (Organisation.objects.filter(kind=Organisation.Kind.PROPERTY_COMPANY, is_active=True)
            .filter(Q(community_id__in=estates.values("community_id")) | Q(community__isnull=True)).order_by("name"))


def satisfaction_beside_units(org_ids):
    """{company id: text} for the public 三率 page: each property company's latest published
    owners' satisfaction, its year and whether it met the target."""
    out = {}
    targets = dict(Survey.objects.filter(company_id__in=list(org_ids), state=SurveyState.PUBLISHED)
                   .order_by("company_id", "year").values_list("company_id", "target_pct"))
    for company_id, (year, overall) in published_by_company(org_ids).items():
        if not overall.answered:
            continue
        target = targets.get(company_id, 80)
        met = overall.satisfied * 100 >= target * overall.answered
        out[company_id] = _("%(year)s年 %(pct)s（目标 %(target)s%%，%(verdict)s）") % {
            "year": year, "pct": overall.pct, "target": target, "verdict": _("达标") if met else _("未达标")}
    return out


def may_see_result(user, survey):
    """Staff and the company see the figures as they come in; residents once published."""
    return survey.state == SurveyState.PUBLISHED or scoped(
        user, Survey.objects.filter(pk=survey.pk), SURVEY.perm("view")).exists()
