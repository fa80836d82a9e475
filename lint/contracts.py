"""A custom import-linter contract: the web sits on top of every package.

Every capability keeps its views (``routes.py``, ``*_routes.py``) and forms (``forms.py``) in
its own folder, beside its services and queries. Those web modules may import anything below
the entry points; nothing else may import them, and nothing but the entry points (the app
factory, the command line, the worker, the demo) may import an entry point. With the web on
top, the ``layers`` and ``acyclic_siblings`` contracts can ignore imports made by web modules
and check everything else package by package.
"""

from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def is_web(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return last.endswith("routes") or last == "forms"


class WebOnTopContract(Contract):
    """Options: ``entry_points``, the modules (and their descendants) that start the app."""

    type_name = "web_on_top"
    entry_points = fields.ListField(subfield=fields.StringField())

    def _is_entry(self, module: str) -> bool:
        return any(module == entry or module.startswith(entry + ".") for entry in self.entry_points)

    def check(self, graph, verbose: bool) -> ContractCheck:
        broken = []
        for importer in sorted(graph.modules):
            if self._is_entry(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                upward = self._is_entry(imported) or (is_web(imported) and not is_web(importer))
                if upward:
                    lines = sorted(d["line_number"] for d in graph.get_import_details(
                        importer=importer, imported=imported))
                    broken.append(f"{importer} -> {imported} (l. {', '.join(map(str, lines))})")
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        from importlinter.application import output  # lazy: import-linter's own, only when broken

        output.print("Only the entry points import the web (routes and forms) or an entry point:")
        for line in check.metadata["broken"]:
            output.print(f"- {line}", bold=False)
