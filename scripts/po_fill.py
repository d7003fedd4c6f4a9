"""Fill empty msgstr entries of a .po file from a JSON dict {msgid: msgstr} (translation helper)."""

import json
import re
import sys


def fill(po_path: str, table_path: str) -> int:
    table = json.load(open(table_path, encoding="utf-8"))
    text = open(po_path, encoding="utf-8").read()
    filled = 0

    def repl(match):
        nonlocal filled
        msgid = match.group(2).encode("utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        if match.group(3) == "" and msgid in table:
            filled += 1
            value = table[msgid].replace("\\", "\\\\").replace('"', '\\"')
            return f'{match.group(1)}msgid "{match.group(2)}"\nmsgstr "{value}"'
        return match.group(0)

    # Only single-line msgids; a "#, fuzzy" flag is left for a human.
    text = re.sub(r'(^|\n)msgid "((?:[^"\\]|\\.)+)"\nmsgstr "((?:[^"\\]|\\.)*)"', repl, text)
    open(po_path, "w", encoding="utf-8").write(text)
    return filled


if __name__ == "__main__":
    print(fill(sys.argv[1], sys.argv[2]), "filled")
