"""The line markers of a case program's source, shared by the case runners: @alloc (the
allocation site), @free (the first free) and @error (where the error happens)."""

MARKERS = ("@alloc", "@free", "@error")


def marked_lines(source_path):
    """{marker: line number} for each marker in the source, and the source's lines."""
    with open(source_path, encoding="utf-8") as source:
        lines = source.read().splitlines()
    found = {}
    for number, line in enumerate(lines, start=1):
        for marker in MARKERS:
            if marker in line:
                found[marker] = number
    return found, lines
