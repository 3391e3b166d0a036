"""Who sees and runs votes. The owners' committee runs its estate's votes; community staff
see the votes of their community and enter counter and paper ballots; the auditor reads.
Owners reach their own votes through the register (selectors.votes_for), not a role."""

from liulin.core.permissions import grant, register_scope
from liulin.core.roles import Role

from .models import Proxy, Vote
from .workflow import WORKFLOW

register_scope(Vote, area_path="estate__community__path", org="committee")
register_scope(Proxy, area_path="vote__estate__community__path", org="vote__committee")

WORKFLOW.grant_roles()
for role in (Role.COMMITTEE_MEMBER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.AUDITOR):
    grant(role, "votes.view")
# A resident holds "votes.view" for the menu entry only: Vote registers no household path, so
# the role opens no vote by itself; an owner sees his estate's votes through the register.
grant(Role.RESIDENT, "votes.view")
# Setting up a vote is the committee's, on its own organisation (orgs registers its scope).
grant(Role.COMMITTEE_MEMBER, "votes.create")
# The owners' register of an estate, checked on its owners' committee (orgs registers the
# scope): the committee itself, or community staff of its community.
for role in (Role.COMMITTEE_MEMBER, Role.COMMUNITY_STAFF):
    grant(role, "votes.manage_register")
