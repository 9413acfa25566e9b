"""(filled in by the dropout family)"""

__all__: list[str] = []
