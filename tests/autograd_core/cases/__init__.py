"""Every op family's test cases: each module here defines ``CASES``, a list of OpCase."""

import importlib
import pkgutil


def all_cases() -> list:
    cases = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        cases.extend(module.CASES)
    return cases
