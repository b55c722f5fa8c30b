"""The import contract that import-linter has no built-in type for (DESIGN.md §5): an app is
reached from another app only through its `api.py`.

Run by `lint-imports` (in `make check`) with the contracts in pyproject.toml; the layers contract
there keeps the direction, this one keeps the door.
"""

from importlinter import Contract, ContractCheck, fields, output


class ApiOnlyContract(Contract):
    """Every import from one of `apps` into another of them is of `<app>.api` (grimp records
    `from app import api` as an import of `app.api`; a bare `import app` is refused, since
    `app.models` could follow). Function-local imports count: grimp sees them."""

    type_name = "api_only"

    apps = fields.ListField(subfield=fields.StringField())
    entry = fields.StringField(required=False, default="api")

    def check(self, graph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)  # type: ignore[arg-type]
        entry = self.entry
        illegal = []
        for importer in sorted(graph.modules):
            importer_app = importer.split(".")[0]
            if importer_app not in apps:
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                imported_app = imported.split(".")[0]
                if imported_app not in apps or imported_app == importer_app:
                    continue
                if imported == f"{imported_app}.{entry}":
                    continue
                lines = sorted(
                    detail["line_number"]
                    for detail in graph.get_import_details(importer=importer, imported=imported)
                )
                illegal.append((importer, imported, lines))
        return ContractCheck(kept=not illegal, metadata={"illegal": illegal})

    def render_broken_contract(self, check: ContractCheck) -> None:
        output.print_error(
            f"Another app's internals imported (use its {self.entry}.py):", bold=False
        )
        output.new_line()
        for importer, imported, lines in check.metadata["illegal"]:
            output.print_error(
                f"- {importer} -> {imported} (l.{', '.join(map(str, lines))})", bold=False
            )
        output.new_line()
