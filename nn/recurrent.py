"""(filled in by the recurrent family)"""

__all__: list[str] = []
