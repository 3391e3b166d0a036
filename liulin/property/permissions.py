"""Who sees and does what in 物业监督.

- Community staff and secretary manage the contracts, surveys and supervisors of their
  community ("property.manage") and take the survey's steps (workflow.SURVEY).
- Grid workers and auditors read their area; a property company's staff read their own
  company's contracts, surveys, results and inspections ("property.view", org path).
- A resident answers the open survey of his estate for his household and reads published
  results (selectors, by household); a 物业监督员 is a resident appointed per estate (a
  `Supervisor` row, not a role) and records inspections of that estate.
"""

from liulin.core.attachments.selectors import register_owner
from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Inspection, InspectionItem, ServiceContract, Supervisor, Survey
from .workflow import SURVEY

SURVEY.grant_roles()

register_scope(ServiceContract, area_path="community__path", grid="estate__buildings__grid", org="company")
register_scope(Survey, area_path="community__path", grid="estate__buildings__grid", org="company")
register_scope(Supervisor, area_path="community__path")
register_scope(Inspection, area_path="community__path", grid="estate__buildings__grid", org="contract__company", user="inspector")
register_scope(InspectionItem, area_path="inspection__community__path", org="inspection__contract__company",
               user="inspection__inspector")

register_owner(InspectionItem, perm="property.view")

# A resident reads through the user path only: the inspections he recorded as supervisor and
# their photos. Surveys reach him by his household's estate (selectors.surveys_for).
grant(Role.RESIDENT, "property.view")
