"""(filled in by the indexing family)"""

METHODS: dict = {}
FUNCTIONS: dict = {}
