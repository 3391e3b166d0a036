"""Who sees and does what with 公示: staff of a community publish, correct, answer and
finalise; grid workers and auditors see; a resident sees the published notices of his own
community (selectors.resident_q), objects to them and has his household's receipt."""

from liulin.core.permissions import register_scope

from .models import CatalogueItem, Notice
from .workflow import NOTICE

NOTICE.grant_roles()
register_scope(Notice, area_path="community__path", grid="community__grids")
register_scope(CatalogueItem, area_path="community__path", grid="community__grids")
