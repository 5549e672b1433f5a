"""The shell commands a RUN (or a `/bin/sh -c` start command) runs, as words."""

from __future__ import annotations

import re
import shlex

from .dockerfile import Instruction

# `a && b || c; d | e`, one command per line: the separators between simple commands
SEPARATORS = re.compile(r"&&|\|\||[;|\n]")


def shell_words(text: str) -> list[str]:
    """The words of one command line as the shell splits them, tolerant of unbalanced quotes."""
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def shell_commands(instruction: Instruction) -> list[list[str]]:
    """The simple commands of a RUN (`a && b; c | d`, continuations joined, comments dropped), as words;
    the exec form is one command."""
    form = instruction.exec_form
    if form is not None:
        return [form]
    text = instruction.arguments.replace("\\\n", " ")
    commands = []
    for part in SEPARATORS.split(text):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        if words:
            commands.append(words)
    return commands
