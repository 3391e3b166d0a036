"""Every read of work orders a user triggers, narrowed to what that user may see.

All ticket lists start from `tickets_for`, which goes through the one permission layer
(`core.permissions.scoped`): a grid worker sees his grid, a property company its orders, a
department what it handles or was summoned to, a resident what he asked. A ticket outside the
user's scope is "not found" (404), never "forbidden", so scopes do not leak.

List pages run a fixed number of queries: the ids of a page are read per way the user
reaches tickets (`first_in_scope`), then the page's rows with their relations joined and the
actions a user may take on each computed in the same query (`with_allowed`); long lists
page by key (`resolve_due`, `id`) so a deep page costs what the first one does.

The reads live by entity, one module each (as `services/` does): `tickets`, `intake`, `duplicates`,
`worklists`, `board`, `whistles`, `public`; this package names them all, so
`from liulin.whistle import selectors; selectors.worklist(...)` keeps working.
"""

from .board import (  # noqa: F401
    BOARD_LIMIT,
    COLUMNS,
    column_page,
    decode_column_cursor,
    near_deadline_q,
    supervises,
    supervision_summary,
    supervisor_board,
)
from .duplicates import (  # noqa: F401
    FOLLOWED_BY_CHILDREN,
    likely_duplicates,
    merged_children,
    merged_count,
    my_cosigned,
    requester_state,
)
from .intake import (  # noqa: F401
    active_categories,
    buildings_for,
    category_tree,
    departments,
    grid_residents,
    handling_units,
    intake_ticket,
    own_intake,
)
from .public import (  # noqa: F401
    public_counts,
)
from .tickets import (  # noqa: F401
    PAGE_SIZE,
    ROW_ACTIONS,
    ROW_FIELDS,
    SYSTEM_LABEL,
    UNIT_LABELS,
    WORKLIST_STATES,
    _assignments,
    _StaffOnly,
    _with_relations,
    _with_row_relations,
    _without_second_duty,
    allowed_actions,
    callbacks,
    cosign_target,
    cosignable,
    cosigned_ticket,
    event_actor_label,
    is_staff_viewer,
    map_markers,
    my_requests,
    neighbourhood_open,
    photo_for,
    photos,
    possible_duplicates,
    ticket_by_number,
    ticket_detail,
    ticket_for,
    ticket_place,
    tickets_for,
    timeline,
    unit_kinds,
    with_allowed,
)
from .whistles import (  # noqa: F401
    _area_communities,
    _org_ids,
    ranking_communities_for,
    summons_for,
    summons_for_department,
    supervised_communities,
    whistleable_tickets,
    whistles_for,
)
from .worklists import (  # noqa: F401
    _NO_DUE,
    WORKLIST_ORDER,
    Cursor,
    QueueFilters,
    TicketFilters,
    _after,
    _in_order,
    _segments,
    _worklist_key,
    dispatch_queue,
    first_in_scope,
    newest_tickets,
    overdue_q,
    tickets_by_id,
    worklist,
    worklist_summary,
)
