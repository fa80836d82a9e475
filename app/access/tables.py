"""The committed tables: the route -> permission table (app/route_permissions.txt) and the
README's roles table, each kept true by a test."""

from app.models.auth import Role

from .permissions import PERMISSIONS


def route_table(app) -> list[str]:
    """One line per route and method: the permission it declares and the roles that hold it."""
    lines = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        name = getattr(app.view_functions[rule.endpoint], "permission", "UNDECLARED")
        roles = ("everyone" if name == "public" else
                 " ".join(sorted(r.value for r in PERMISSIONS[name].roles)) if name in PERMISSIONS else "-")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = rule.rule.replace(" ", "")  # one field per column, for the test that reads it
            lines.append(f"{method:<6} {path:<55} {rule.endpoint:<40} {name:<28} {roles}")
    return lines


def roles_table() -> list[str]:
    """The README's roles table: each permission and which roles hold it."""
    order = [Role.VOLUNTEER, Role.AREA_FACILITATOR, Role.HR, Role.ADMIN, Role.COORDINATOR]
    header = "| permission | what it allows | " + " | ".join(r.label for r in order) + " |"
    lines = [header, "| --- | --- |" + " --- |" * len(order)]
    for perm in PERMISSIONS.values():
        if perm.public:
            continue
        marks = " | ".join("yes" if r in perm.roles else "" for r in order)
        own = " (never on their own record)" if perm.not_own else ""
        lines.append(f"| `{perm.name}` | {perm.description}{own} | {marks} |")
    return lines
