"""Validates JSON-LD documents against SHACL shapes with pyshacl, offline.

Usage: validate.py --context URL FILE ... --shapes FILE ... DOCUMENT ...

Each --context maps a context URL to a local copy, so that nothing is fetched. Prints one line
per document ("conforms" or the validation report) and exits 1 when any does not conform, 2
when pyshacl is not installed.
"""
import json
import sys
from pathlib import Path

try:
    import rdflib
    from pyshacl import validate
except ImportError:
    print("pyshacl is not installed (pip install pyshacl)", file=sys.stderr)
    sys.exit(2)


def main(args):
    contexts, shapes, documents = {}, [], []
    i = 0
    while i < len(args):
        if args[i] == "--context":
            contexts[args[i + 1]] = json.loads(Path(args[i + 2]).read_text())["@context"]
            i += 3
        elif args[i] == "--shapes":
            shapes.append(args[i + 1])
            i += 2
        else:
            documents.append(args[i])
            i += 1
    shapes_graph = rdflib.Graph()
    for path in shapes:
        shapes_graph.parse(path, format="turtle")
    all_conform = True
    for path in documents:
        document = json.loads(Path(path).read_text())
        given = document.get("@context")
        given = given if isinstance(given, list) else [given]
        unknown = [c for c in given if isinstance(c, str) and c not in contexts]
        if unknown:
            print(f"{path}: no local copy of the contexts {unknown}")
            all_conform = False
            continue
        document["@context"] = [contexts[c] if isinstance(c, str) else c for c in given]
        graph = rdflib.Graph().parse(data=json.dumps(document), format="json-ld")
        conforms, _, text = validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True)
        if conforms:
            print(f"{path}: conforms ({len(graph)} triples)")
        else:
            print(f"{path}: does not conform\n{text}")
            all_conform = False
    sys.exit(0 if all_conform else 1)


main(sys.argv[1:])
