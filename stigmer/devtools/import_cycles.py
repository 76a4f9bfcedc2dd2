"""Fail when modules import each other in a cycle, directly or through others.

    .venv/bin/python -m stigmer.devtools.import_cycles

Every import counts, including those inside functions: a deferred import is
still a dependency, and the data path (save -> pipeline -> workflow -> runner
-> event -> push -> reader) must walk forward only. grimp (import-linter's
graph library) parses the packages; the cycles are its graph's strongly
connected components. CI runs this (.ci/run) and so does the suite
(tests/test_architecture.py).
"""
import sys

import grimp

PACKAGES = ("stigmer", "executions", "runner", "bench")


def import_cycles(graph) -> list[list[str]]:
    """Each group of modules that import each other, with two or more members (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles = []
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == module:
                        break
                if len(group) > 1:
                    cycles.append(sorted(group))
    return cycles


def describe(graph, group: list[str]) -> list[str]:
    members = set(group)
    lines = []
    for importer in group:
        for imported in sorted(graph.find_modules_directly_imported_by(importer) & members):
            where = graph.get_import_details(importer=importer, imported=imported)
            lines.append(f"  {importer} -> {imported} (line {', '.join(str(d['line_number']) for d in where)})")
    return lines


def main() -> int:
    graph = grimp.build_graph(*PACKAGES)
    cycles = import_cycles(graph)
    for group in cycles:
        print(f"import cycle among {len(group)} modules:")
        print("\n".join(describe(graph, group)))
    if not cycles:
        print(f"no import cycles in {', '.join(PACKAGES)} ({len(graph.modules)} modules)")
    return 1 if cycles else 0


if __name__ == "__main__":
    sys.exit(main())
