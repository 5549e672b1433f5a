"""Every CHECKS_* environment variable, in one table: name, default, meaning (as datasette's SETTINGS).

The table validates the values once when `checks` starts (a bad one is an `Error: …` line, exit 2),
gives each module its value when it asks (never at import time, so a test's environment counts), and
writes the reference page's table (checks/site/reference.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    name: str
    default: str  # as it would be written in the environment; "" for none
    kind: str  # "seconds" (a number > 0), "flag" (1 or 0), "text"
    meaning: str  # on the reference page


SETTINGS = (
    Setting(
        "CHECKS_DOCS_URL",
        "",
        "text",
        "the address of a room's copy of this site: the links `checks` prints point there",
    ),
    Setting(
        "CHECKS_STEP_SILENCE",
        "45",
        "seconds",
        "a RUN step that prints nothing for this long is stopped (it would never end)",
    ),
    Setting(
        "CHECKS_STEP_SILENCE_BUSY",
        "600",
        "seconds",
        "the same after a line announcing work still going on (pip's `…: started`, `Downloading …`, "
        "apt-get's `Get:`); never less than CHECKS_STEP_SILENCE",
    ),
    Setting("CHECKS_BUILD_TIMEOUT", "900", "seconds", "a whole build is stopped after this long"),
    Setting(
        "CHECKS_START_TIMEOUT",
        "30",
        "seconds",
        "how long the app in a container of your image may take to answer, once started",
    ),
    Setting(
        "CHECKS_CACHE_DIR",
        "",
        "text",
        "where answers about images are kept (default: your cache folder, see below)",
    ),
    Setting("CHECKS_NO_CACHE", "0", "flag", "1: ask the engine every time, keep no answers"),
    Setting(
        "CHECKS_RUN_PREFIX",
        "",
        "text",
        "put before the run id in the label of everything a run creates (a test session tells its own apart)",
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}
FLAG_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


class SettingProblem(Exception):
    """A CHECKS_* variable has a value that means nothing: the message names it and the fix."""


def _parse(setting: Setting, raw: str):
    if setting.kind == "seconds":
        try:
            value = float(raw)
        except ValueError:
            value = 0.0
        if not value > 0:
            raise SettingProblem(f"{setting.name}={raw!r} is not a number of seconds: unset it or write e.g. 120")
        return value
    if setting.kind == "flag":
        word = raw.strip().lower()
        if word not in FLAG_WORDS:
            raise SettingProblem(f"{setting.name}={raw!r} means nothing: write 1 or 0")
        return FLAG_WORDS[word]
    return raw.strip()


def value(name: str):
    """The setting's value now: float seconds, a bool flag or the text; its default when unset or empty."""
    setting = BY_NAME[name]
    raw = os.environ.get(name, "")
    return _parse(setting, raw if raw.strip() else setting.default)


def is_set(name: str) -> bool:
    return bool(os.environ.get(name, "").strip())


def problems() -> list[str]:
    """What is wrong with the environment's CHECKS_* values (empty: nothing)."""
    found = []
    for setting in SETTINGS:
        try:
            value(setting.name)
        except SettingProblem as problem:
            found.append(str(problem))
    return found
