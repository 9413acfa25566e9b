"""(filled in by the pooling family)"""

__all__: list[str] = []
