"""(filled in by the first_order family)"""

__all__: list[str] = []
