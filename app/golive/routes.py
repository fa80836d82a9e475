from datetime import date

from flask import Blueprint, render_template
from flask_login import current_user

from app.access import permission_required

from .services import checklist

bp = Blueprint("golive", __name__)


@bp.route("/go-live")
@permission_required("view_go_live")
def tasks():
    items = checklist(current_user.provider_id, today=date.today())
    return render_template("golive/tasks.html", tasks=items, done=sum(t.done for t in items))
