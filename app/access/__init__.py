"""Who may do what: every access rule lives in this package, and nowhere else.

- ``permissions``: the table of named permissions (roles, SQL scope, record check) and the
  questions asked of it (``can``, ``refusal``, ``scope``, ``refuse_own``);
- ``scopes``: the SQL conditions for the people a user may see or act on;
- ``loaders``: scoped loaders, a 404 for a record out of scope;
- ``decorators``: ``permission_required``, which can also load the view's record and check it;
- ``policy``: what a role sees and how long it stays signed in;
- ``tables``: the committed route and roles tables.

Each action a user can take is a named ``Permission``: the roles that hold it,
one Python check on a user and a record, and one SQL scope for lists and
queues. Views declare ``@permission_required("approve_hours")``; records load
through the scoped loaders below, so a record outside the user's scope is a
404, indistinguishable from one that does not exist; templates ask
``can(current_user, "approve_hours", entry)``. Nothing outside this package
compares a user's role: a test fails if anything does.

Two rules hold for every permission marked ``not_own``: nobody acts on their
own record (approving, paying, recording their own training, moving
themselves on), and the refusal happens here, so single actions, bulk
actions, the register and imports all get the same answer.

``flask access routes`` prints the route -> permission table committed in
``app/route_permissions.txt``; a test compares the two, so a change of who may
do what shows in review as a one-line diff.
"""

from .decorators import (  # noqa: F401
    LOADERS,
    allowed,
    permission_required,
    public,
    require_allowed,
    view_scope,
)
from .loaders import (  # noqa: F401
    Named,
    account_roles,
    accounts_scope,
    applicant_scope,
    delivery_scope,
    get_account_or_404,
    get_certificate_or_404,
    get_claim_or_404,
    get_contract_or_404,
    get_establishment_record_or_404,
    get_hours_or_404,
    get_job_or_404,
    get_line_or_404,
    get_person_or_404,
    get_provider_or_404,
    get_receipt_or_404,
    get_session_or_404,
    get_spend_or_404,
    get_submission_or_404,
    history_scope,
    may_see_provider,
    owner_for_new_setting,
    provider_choices,
    recruiters,
    scoped_people,
    settings_scope,
    spending_scope,
    submissions_query,
    visible_providers,
)
from .permissions import (  # noqa: F401
    ADMIN,
    ALL_ROLES,
    APPROVERS,
    BEFORE_CONFIRMATION,
    COORDINATOR,
    EXPENSE_VIEWERS,
    FACILITATOR,
    HR,
    PARENT,
    PERMISSIONS,
    PROVIDER_OFFICE,
    STAFF,
    Permission,
    can,
    has_role_for,
    may_withdraw,
    own_record,
    permission,
    recorded_it,
    refusal,
    refuse_own,
    scope,
)
from .policy import (  # noqa: F401
    area_choices,
    fixed_area_id,
    home_template,
    idle_minutes,
    is_parent,
    may_turn_off_second_step,
    names_in_compliance,
    needs_second_step,
    role_label,
    sees_all_areas,
    sees_all_providers,
    session_lifetime,
)
from .scopes import (  # noqa: F401
    acting_people,
    person_scope,
    records_as_lead,
    same_human,
    session_areas,
)
from .tables import (  # noqa: F401
    roles_table,
    route_table,
)
