"""Argo CD's build environment in an app's options: ``${ARGOCD_APP_REVISION}`` and friends.

Argo CD expands ``$NAME`` / ``${NAME}`` in Helm parameters, values file paths, kustomize
images and common labels with Go's ``os.Expand``: a name it does not know becomes "" and
``$$`` stays ``$``. An image tagged ``${ARGOCD_APP_REVISION}`` deploys the commit's SHA, so
a render without the expansion would report drift on every such object.
"""

from __future__ import annotations

from collections.abc import Mapping

_SPECIAL = set("*#$@!?-0123456789")


def _is_name_char(char: str) -> bool:
    return char == "_" or (char.isascii() and char.isalnum())


def _shell_name(text: str) -> tuple[str, int]:
    """Go's getShellName: (the name after ``$``, how many characters it took)."""
    if text[0] == "{":
        if len(text) > 2 and text[1] in _SPECIAL and text[2] == "}":
            return text[1], 3
        end = text.find("}", 1)
        if end == 1:
            return "", 2  # "${}": bad syntax, eaten
        if end < 0:
            return "", 1  # "${" without its brace: eaten
        return text[1:end], end + 1
    if text[0] in _SPECIAL:
        return text[0], 1
    width = 0
    while width < len(text) and _is_name_char(text[width]):
        width += 1
    return text[:width], width


def envsubst(text: str, env: Mapping[str, str]) -> str:
    """``text`` with ``$NAME`` and ``${NAME}`` replaced as Argo CD's Env.Envsubst does."""
    out: list[str] = []
    i = 0
    start = 0
    while i < len(text):
        if text[i] == "$" and i + 1 < len(text):
            out.append(text[start:i])
            name, width = _shell_name(text[i + 1 :])
            if name:
                out.append("$" if name == "$" else env.get(name, ""))
            elif width == 0:
                out.append("$")  # "$" before something that is no name: kept
            i += width
            start = i + 1
        i += 1
    out.append(text[start:])
    return "".join(out)
