"""(filled in by the lr_scheduler family)"""

__all__: list[str] = []
