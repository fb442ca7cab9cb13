"""Render docs/hooks.md, the hook reference, from core/clarion/hookspecs.py.

    python docs/build.py           # rewrite docs/hooks.md
    python docs/build.py --check   # exit 1 when the committed docs/hooks.md is stale

The page is generated so it can never disagree with the specs: name, exact signature,
``firstresult`` or not, the full docstring, and which built-in plugins implement the hook.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
HOOKS_PAGE = DOCS / "hooks.md"

# Document the working tree, even when another copy of Clarion is installed.
sys.path[:0] = [str(REPO / "core"), str(REPO / "plugins")]

from clarion import hookspecs  # noqa: E402
from clarion.plugins import DEFAULT_PLUGINS  # noqa: E402

ROLE = re.compile(r":(?:class|func|meth|data|attr|exc|mod):`~?([^`]+)`")
LITERAL = re.compile(r"``([^`]+)``")
FIRSTRESULT = {True: "yes — the first non-`None` answer wins", False: "no — every implementation is called"}
SECTION = re.compile(r"^(Args|Arguments|Returns|Raises|Yields|Attributes|Note|Notes):$")


def inline(text: str) -> str:
    """RST inline markup as Markdown: roles and double back-quotes become code spans."""
    return LITERAL.sub(r"`\1`", ROLE.sub(r"`\1`", text))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _block(lines: list[str], start: int, deeper_than: int) -> tuple[list[str], int]:
    """The lines from ``start`` indented more than ``deeper_than`` (blank lines included), dedented."""
    end = start
    while end < len(lines) and (not lines[end].strip() or _indent(lines[end]) > deeper_than):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    block = lines[start:end]
    margin = min((_indent(line) for line in block if line.strip()), default=0)
    return [line[margin:] for line in block], end


def markdown(docstring: str) -> str:
    """A Google-style, RST-flavoured docstring as Markdown.

    Handles what Clarion's hookspecs use: literal blocks after ``::``, ``Args:``-style
    sections, definition lists and ``*`` bullets.
    """
    lines = inspect.cleandoc(docstring).splitlines()
    out: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped.endswith("::"):
            lead = stripped[:-2].rstrip()
            if lead:
                out.append(inline(lead + ":"))
                out.append("")
            code, index = _block(lines, index + 1, _indent(line))
            while code and not code[0].strip():
                code.pop(0)
            out.extend(["```python", *code, "```"])
            continue
        section = SECTION.match(stripped)
        if section:
            out.append(f"**{section[1]}:**")
            out.append("")
            body, index = _block(lines, index + 1, _indent(line))
            if section[1] in {"Args", "Arguments", "Raises", "Attributes"}:
                out.extend(_items(body))
            else:
                out.extend(inline(item) for item in body)
            out.append("")
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if stripped and following.strip() and _indent(following) > _indent(line) and not stripped.startswith("*"):
            definition, index = _block(lines, index + 1, _indent(line))
            out.append(f"- {inline(stripped)} — {inline(' '.join(part.strip() for part in definition))}")
            continue
        if stripped.startswith("* "):
            item, index = _block(lines, index + 1, _indent(line))
            out.append("- " + inline(" ".join([stripped[2:], *(part.strip() for part in item)])))
            continue
        out.append(inline(line))
        index += 1
    return "\n".join(out).strip() + "\n"


def _items(body: list[str]) -> Iterator[str]:
    """``name: description`` entries (with indented continuations) as a Markdown list."""
    current: list[str] = []
    for line in body:
        if line and not line[0].isspace() and ":" in line:
            if current:
                yield _item(current)
            current = [line]
        elif line.strip():
            current.append(line.strip())
    if current:
        yield _item(current)


def _item(parts: list[str]) -> str:
    name, _, description = parts[0].partition(":")
    return f"- `{name.strip()}`: {inline(' '.join([description.strip(), *parts[1:]]).strip())}"


def hook_specs() -> list[Callable[..., Any]]:
    """The hook specifications in the order hookspecs.py declares them."""
    functions = [
        function
        for _, function in inspect.getmembers(hookspecs, inspect.isfunction)
        if hasattr(function, "clarion_spec")
    ]
    return sorted(functions, key=lambda function: function.__code__.co_firstlineno)


def signature(function: Callable[..., Any]) -> str:
    """``name(arg: Type, …) -> Return``, annotations exactly as the source writes them."""
    parameters = ", ".join(
        f"{parameter.name}: {parameter.annotation}" for parameter in inspect.signature(function).parameters.values()
    )
    return f"{function.__name__}({parameters}) -> {inspect.signature(function).return_annotation}"


def builtin_implementations(hook_name: str) -> list[tuple[str, str]]:
    """(plugin name, source file relative to docs/) of each built-in implementing ``hook_name``."""
    found = []
    for plugin_name, module_path in DEFAULT_PLUGINS.items():
        module = importlib.import_module(module_path)
        if getattr(getattr(module, hook_name, None), "clarion_impl", None) is not None:
            path = Path(inspect.getfile(module)).resolve().relative_to(REPO)
            found.append((plugin_name, f"../{path.as_posix()}"))
    return found


def render() -> str:
    specs = hook_specs()
    parts = [
        "<!-- Generated by docs/build.py from core/clarion/hookspecs.py; edit those, then run"
        " `python docs/build.py`. -->",
        "",
        "# Hook reference",
        "",
        markdown(hookspecs.__doc__ or ""),
        "Implement a hook with the `clarion.hookimpl` marker in any module, register the module as a",
        "plugin (an entry point in the `clarion` group, `CLARION_PLUGINS`, or `build_engine(extra_plugins=…)`), and",
        "`clarion plugins` lists it with the hooks it implements. See the guides:",
        "[write a connector](guides/write-a-connector.md) and [write a scoring rule](guides/write-a-scoring-rule.md).",
        "",
        "| Hook | firstresult | Summary |",
        "|---|---|---|",
    ]
    for function in specs:
        summary = inline(inspect.getdoc(function).splitlines()[0])  # type: ignore[union-attr]
        parts.append(
            f"| [`{function.__name__}`](#{function.__name__}) | {'yes' if function.clarion_spec['firstresult'] else 'no'}"
            f" | {summary} |"
        )
    parts.append("")
    for function in specs:
        spec = function.clarion_spec
        decorator = "@hookspec(firstresult=True)" if spec["firstresult"] else "@hookspec"
        implementations = builtin_implementations(function.__name__)
        builtins = ", ".join(f"[`{name}`]({path})" for name, path in implementations) or "none"
        test_name = f"test_hook_{function.__name__.removeprefix('clarion_')}"
        parts += [
            f"## `{function.__name__}`",
            "",
            "```python",
            decorator,
            f"def {signature(function)}: ...",
            "```",
            "",
            f"- **firstresult:** {FIRSTRESULT[spec['firstresult']]}",
            f"- **Built-in implementations:** {builtins}",
            f"- **Shown in:** `{test_name}` in [tests/integration/test_hooks.py](../tests/integration/test_hooks.py)",
            "",
            markdown(inspect.getdoc(function) or ""),
        ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(parts)).rstrip() + "\n"


def _shown(path: Path) -> str:
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if docs/hooks.md is not up to date")
    arguments = parser.parse_args(argv)
    rendered = render()
    current = HOOKS_PAGE.read_text() if HOOKS_PAGE.exists() else ""
    if arguments.check:
        if current != rendered:
            print(
                f"{_shown(HOOKS_PAGE)} is out of date with core/clarion/hookspecs.py; "
                "run `python docs/build.py` and commit the result",
                file=sys.stderr,
            )
            return 1
        print(f"{_shown(HOOKS_PAGE)} is up to date")
        return 0
    HOOKS_PAGE.write_text(rendered)
    print(f"wrote {_shown(HOOKS_PAGE)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
